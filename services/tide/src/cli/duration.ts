import { CliError } from './exit-codes.ts';

/** `90s`, `10m`, `12h`, `7d` (or plain seconds) → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new CliError(`duration ${text}: use a number with s, m, h or d (e.g. 30m)`);
  return Number(match[1]) * ({ s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'] ?? 1);
}
