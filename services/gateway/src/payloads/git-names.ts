import { z } from 'zod';

/** A commit id as Git writes it: 40 hex digits (SHA-1) or 64 (SHA-256). It reaches git as a revision, so nothing else passes. */
export const CommitSha = z.string().regex(/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/, { error: 'must be a 40- or 64-hex-digit commit id' });

/** A full ref name (`refs/heads/main`, `refs/tags/v1`): no whitespace or control characters. */
export const FullRef = z.string().regex(/^refs\/[^\s\x00-\x1f\x7f]+$/, { error: 'must be a full ref name (refs/heads/…, refs/tags/…)' });

/** A branch or tag name as Bitbucket sends it (no `refs/` prefix): no whitespace or control characters, no leading `-`. */
export const RefName = z.string().regex(/^(?!-)[^\s\x00-\x1f\x7f]+$/, { error: 'must be a branch or tag name' });
