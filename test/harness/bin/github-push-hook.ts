// A git post-receive hook that delivers each pushed ref as a signed GitHub `push` webhook, so a push to the
// harness's git daemon drives Tidewater exactly as a push to GitHub would.
// Env: TIDEWATER_HOOK_URL, TIDEWATER_HOOK_SECRET_FILE, TIDEWATER_HOOK_REPO (org/name), TIDEWATER_HOOK_CLONE_URL.
import { readFileSync } from 'node:fs';
import { describePush, sendGithubPush } from '../src/webhooks.ts';

const url = process.env.TIDEWATER_HOOK_URL;
const secretFile = process.env.TIDEWATER_HOOK_SECRET_FILE;
if (!url || !secretFile) process.exit(0);
const secret = readFileSync(secretFile, 'utf8').trim();
const gitDir = process.env.GIT_DIR ?? '.';
const input = readFileSync(0, 'utf8');
for (const line of input.split('\n').filter(Boolean)) {
  const [before, after, ref] = line.split(' ');
  const commits = describePush(gitDir, ref, before, after);
  const result = await sendGithubPush(url, secret, {
    cloneUrl: process.env.TIDEWATER_HOOK_CLONE_URL ?? '', fullName: process.env.TIDEWATER_HOOK_REPO ?? 'local/repo',
    ref, before, after, commits,
  }).catch((error: Error) => ({ status: 0, body: error.message, deliveryId: '' }));
  process.stderr.write(`tidewater webhook ${ref} ${after.slice(0, 12)}: HTTP ${result.status} ${result.body.slice(0, 200)}\n`);
}
