import type { Logger } from 'pino';

/**
 * SIGTERM/SIGINT stop the service once: `stop` runs (close servers, let running jobs finish, close connections),
 * the process exits 0; past `deadlineMs` it exits 1 with an error line. Only a service's main.ts calls this.
 */
export function stopOnSignals(options: { service: string; logger: Logger; deadlineMs: number; stop: () => Promise<void> }): void {
  const { logger } = options;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'service stopping');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs: options.deadlineMs, service: options.service }, 'service did not stop in time; exiting');
      process.exit(1);
    }, options.deadlineMs);
    deadline.unref();
    try {
      await options.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ reason: (error as Error).message }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** SIGHUP reloads the configuration; a reload that fails keeps the previous configuration and says why. */
export function reloadOnHangup<T extends { applications: unknown[] }>(options: {
  logger: Logger; load: () => Promise<T>; apply: (config: T) => void;
}): void {
  process.on('SIGHUP', () => {
    options.load().then((config) => {
      options.apply(config);
      options.logger.info({ applications: config.applications.length }, 'configuration reloaded');
    }, (error: unknown) => options.logger.error({ reason: (error as Error).message }, 'configuration reload failed; keeping the previous one'));
  });
}

/** SIGHUP runs `handler` (a service whose configuration reloads on other triggers too hands SIGHUP to the same reload). */
export function onHangup(handler: () => void): void {
  process.on('SIGHUP', handler);
}
