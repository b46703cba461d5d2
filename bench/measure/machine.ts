import { cpus, loadavg, totalmem } from 'node:os';

/** One line naming the machine and how busy it was, printed before a benchmark's table. */
export function machineLine(): string {
  const cores = cpus();
  const [one] = loadavg();
  return `machine: ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, `
    + `node ${process.version}, load average ${one.toFixed(2)} at start (other work on the machine shows up here), ${new Date().toISOString()}`;
}
