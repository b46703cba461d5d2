import { z } from 'zod';
import { CommitSha, RefName } from './git-names.ts';

// The fields Tidewater reads from Bitbucket Cloud's `repo:push` (Bitbucket's event payloads docs).
// Optional fields accept null; a present field of the wrong type is a 400 naming it.

const optionalText = z.string().nullish();

export const BitbucketCommit = z.object({
  hash: CommitSha,
  message: optionalText,
  date: optionalText,
  author: z.object({ raw: optionalText, user: z.object({ display_name: optionalText }).nullish() }).nullish(),
});
export type BitbucketCommit = z.infer<typeof BitbucketCommit>;

/** A ref before (`old`) or after (`new`) the push; null when the ref was created or deleted. */
export const BitbucketRefState = z.object({
  name: RefName.nullish(),
  type: optionalText,
  target: BitbucketCommit.nullish(),
});
export type BitbucketRefState = z.infer<typeof BitbucketRefState>;

export const BitbucketChange = z.object({
  new: BitbucketRefState.nullish(),
  old: BitbucketRefState.nullish(),
});
export type BitbucketChange = z.infer<typeof BitbucketChange>;

export const BitbucketRepository = z.object({
  full_name: optionalText,
  links: z.object({ html: z.object({ href: optionalText }).nullish() }).nullish(),
});
export type BitbucketRepository = z.infer<typeof BitbucketRepository>;

/** Any Bitbucket event: only the repository is read. */
export const BitbucketRepositoryReference = z.object({ repository: BitbucketRepository.nullish() });
export type BitbucketRepositoryReference = z.infer<typeof BitbucketRepositoryReference>;

export const BitbucketPushPayload = z.object({
  repository: BitbucketRepository,
  actor: z.object({ display_name: optionalText, nickname: optionalText, username: optionalText }).nullish(),
  push: z.object({ changes: z.array(BitbucketChange) }),
});
export type BitbucketPushPayload = z.infer<typeof BitbucketPushPayload>;
