/**
 * A listen error as one line that names the setting to change (`settings`: variable name → the port it set),
 * or undefined when the error is not a port clash.
 */
export function portClashMessage(error: unknown, settings: Record<string, number | undefined>): string | undefined {
  const failure = error as (NodeJS.ErrnoException & { port?: number; address?: string }) | undefined;
  if (failure?.code !== 'EADDRINUSE' && failure?.code !== 'EACCES') return undefined;
  const problem = failure.code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
  const name = Object.entries(settings).find(([, port]) => port !== undefined && port === failure.port)?.[0];
  const where = `port ${failure.port ?? '?'}${failure.address ? ` on ${failure.address}` : ''}`;
  return name
    ? `${where} ${problem}: set ${name} to a free port`
    : `${where} ${problem}: set ${Object.keys(settings).join(' / ')} to free ports`;
}

/** For a service's main: a port clash ends the process with one line naming the setting; anything else is rethrown. */
export function exitOnPortClash(service: string, settings: Record<string, number | undefined>): (error: unknown) => never {
  return (error: unknown) => {
    const line = portClashMessage(error, settings);
    if (!line) throw error;
    process.stderr.write(`${service}: ${line}\n`);
    process.exit(1);
  };
}
