import type { TidewaterConfig } from './build-config.ts';
import { configSourceHead } from './load-git.ts';
import { loadConfigSource, parseConfigSource } from './load-source.ts';

/** What asked for a reload: SIGHUP, a poll that saw the git source move, or a push webhook to the config repository. */
export type ConfigReloadTrigger = 'signal' | 'poll' | 'webhook';

/** The few logger methods live configuration uses (a pino logger fits). */
export interface LiveConfigLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface LiveConfigOptions {
  /** `TIDEWATER_CONFIG`: a directory or a `git::` source. */
  source: string;
  /** The configuration loaded at start (its `commit`, for a git source, is where polling starts from). */
  initial: TidewaterConfig & { commit?: string };
  /** Takes a newly loaded configuration (the service's `config` getter then returns it). */
  apply: (config: TidewaterConfig) => void;
  logger: LiveConfigLogger;
  /** For a `git::` source: how often its head is asked (`git ls-remote`); 0 turns polling off. Default 60 s. */
  pollIntervalMs?: number;
  /** Loads the source (default loadConfigSource); tests may pass their own. */
  load?: (source: string) => Promise<TidewaterConfig & { commit?: string }>;
  /** Asks the source's head (default configSourceHead for git sources). */
  head?: () => Promise<string>;
}

export interface LiveConfig {
  /** Loads the source again now and applies it; a failing load keeps the previous configuration and says why. */
  reload(trigger: ConfigReloadTrigger): Promise<boolean>;
  close(): void;
}

/** Default poll interval of a `git::` configuration source. */
export const defaultConfigPollIntervalMs = 60_000;

/** `TIDEWATER_CONFIG_POLL_INTERVAL_MS` (0 turns polling off); a value that is not a number is an error naming it. */
export function configPollIntervalMsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TIDEWATER_CONFIG_POLL_INTERVAL_MS;
  if (raw === undefined || raw.trim() === '') return defaultConfigPollIntervalMs;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error('TIDEWATER_CONFIG_POLL_INTERVAL_MS must be a whole number of milliseconds (0 turns polling off)');
  return value;
}

/**
 * Keeps a service's configuration live without a restart: reload on request (SIGHUP, a push webhook to the
 * configuration repository relayed by the gateway) and, for a `git::` source, when a poll of its head finds a new
 * commit. Reloads never overlap; one asked for while another runs runs once after it.
 */
export function createLiveConfig(options: LiveConfigOptions): LiveConfig {
  const parsed = parseConfigSource(options.source);
  const load: (source: string) => Promise<TidewaterConfig & { commit?: string }> = options.load ?? ((source: string) => loadConfigSource(source));
  const head = options.head ?? (parsed.kind === 'git' ? () => configSourceHead(parsed.git) : undefined);
  let loadedCommit = options.initial.commit;
  let running: Promise<boolean> | undefined;
  let again: ConfigReloadTrigger | undefined;
  let closed = false;
  let pollTimer: NodeJS.Timeout | undefined;

  async function loadAndApply(trigger: ConfigReloadTrigger): Promise<boolean> {
    try {
      const next = await load(options.source);
      if (closed) return false;
      options.apply(next);
      loadedCommit = next.commit ?? loadedCommit;
      options.logger.info({ trigger, applications: next.applications.length, ...(next.commit ? { commit: next.commit } : {}) }, 'configuration reloaded');
      for (const warning of next.warnings) options.logger.warn({ warning }, 'configuration warning');
      return true;
    } catch (error) {
      options.logger.error({ trigger, reason: (error as Error).message }, 'configuration reload failed; keeping the previous one');
      return false;
    }
  }

  function reload(trigger: ConfigReloadTrigger): Promise<boolean> {
    if (running) {
      again = trigger;
      return running;
    }
    running = loadAndApply(trigger).finally(() => {
      running = undefined;
      if (again && !closed) {
        const next = again;
        again = undefined;
        void reload(next);
      }
    });
    return running;
  }

  const pollIntervalMs = options.pollIntervalMs ?? defaultConfigPollIntervalMs;
  function schedulePoll() {
    if (closed || !head || pollIntervalMs <= 0) return;
    pollTimer = setTimeout(() => {
      head().then(async (commit) => {
        if (commit !== loadedCommit) await reload('poll');
      }, (error: unknown) => options.logger.warn({ reason: (error as Error).message }, 'configuration source could not be polled'))
        .finally(schedulePoll);
    }, pollIntervalMs);
    pollTimer.unref();
  }
  schedulePoll();

  return {
    reload,
    close() {
      closed = true;
      if (pollTimer) clearTimeout(pollTimer);
    },
  };
}
