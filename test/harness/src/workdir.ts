import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const prefix = 'tidewater-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes work dirs left by a test process that was killed before it could clean up. */
function sweepOrphans(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    const ownerFile = join(tmpdir(), entry, '.owner-pid');
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8'));
    if (owner && !alive(owner)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}
let swept = false;

/** A private temp directory for one component; removed by the returned function. */
export function makeWorkDir(name: string): { dir: string; remove: () => void } {
  if (!swept) {
    swept = true;
    sweepOrphans();
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}${name}-`));
  writeFileSync(join(dir, '.owner-pid'), String(process.pid));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
