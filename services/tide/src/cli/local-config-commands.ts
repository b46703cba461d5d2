import { Command } from 'commander';
import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createAppsetCommandIO, runAppsetGenerate } from '../appset-command.ts';
import { runClusterList } from '../cluster-command.ts';

export interface LocalConfigIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

function configLoader(env: NodeJS.ProcessEnv): () => Promise<TidewaterConfig> {
  return async () => {
    const source = env.TIDEWATER_CONFIG;
    if (!source) throw new Error('TIDEWATER_CONFIG is not set: point it at a directory of configuration documents');
    return loadConfigSource(source);
  };
}

/**
 * Commands that read the configuration itself (TIDEWATER_CONFIG) rather than the API, like `argocd admin`:
 * `tide appset generate <name>` previews an ApplicationSet (REDIS_URL for the renderer's published sets) and
 * `tide cluster list` probes each Cluster with its own credentials.
 */
export function localConfigCommands(io: LocalConfigIo): Command[] {
  const appset = new Command('appset').description('ApplicationSets, evaluated from TIDEWATER_CONFIG (applies nothing)');
  appset.command('generate <name>').description('Preview the Applications an ApplicationSet generates and the diff against its current set')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const appsetIo = createAppsetCommandIO({ redisUrl: io.env.REDIS_URL ?? 'redis://127.0.0.1:6379', loadConfig: configLoader(io.env) });
      try {
        process.exitCode = await runAppsetGenerate(['generate', name, ...(options.json ? ['--json'] : [])], { ...appsetIo, stdout: io.out, stderr: io.err });
      } finally {
        appsetIo.close();
      }
    });
  const cluster = new Command('cluster').description('Clusters of TIDEWATER_CONFIG, probed with their own credentials');
  cluster.command('list').description('Each cluster: server, reachable, version, labels')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      process.exitCode = await runClusterList(['list', ...(options.json ? ['--json'] : [])], { stdout: io.out, stderr: io.err, loadConfig: configLoader(io.env), env: io.env });
    });
  return [appset, cluster];
}
