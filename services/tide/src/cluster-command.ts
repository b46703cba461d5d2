import type { TidewaterConfig } from '@tidewater/config';
import { probeCluster, type ClusterProbe } from '@tidewater/syncer';

export interface ClusterCommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  loadConfig: () => Promise<TidewaterConfig>;
  env?: NodeJS.ProcessEnv;
}

/**
 * `tide cluster list [--json]`: every Cluster document with its labels, whether its API server answers
 * with the cluster's own credentials, and its version. Exit code 0 when all are reachable, 1 otherwise.
 */
export async function runClusterList(args: readonly string[], io: ClusterCommandIO): Promise<number> {
  const [subcommand] = args.filter((arg) => arg !== '--json');
  if (subcommand !== 'list') {
    io.stderr('usage: tide cluster list [--json]');
    return 2;
  }
  const config = await io.loadConfig();
  const probes = await Promise.all(config.clusters.map((cluster) => probeCluster(cluster, { env: io.env })));
  if (args.includes('--json')) io.stdout(JSON.stringify(probes, null, 2));
  else io.stdout(formatClusters(probes));
  return probes.every((probe) => probe.reachable) ? 0 : 1;
}

export function formatClusters(probes: readonly ClusterProbe[]): string {
  const rows = [['NAME', 'SERVER', 'REACHABLE', 'VERSION', 'LABELS'], ...probes.map((probe) => [
    probe.name, probe.server, probe.reachable ? 'yes' : 'no', probe.version ?? '-',
    Object.entries(probe.labels).map(([key, value]) => `${key}=${value}`).join(',') || '-',
  ])];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  for (const probe of probes) if (probe.problem) lines.push(`${probe.name}: ${probe.problem}`);
  return lines.join('\n');
}
