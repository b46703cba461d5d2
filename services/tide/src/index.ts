export { startAll, type StartAllOptions, type RunningTidewater } from './start-all.ts';
export { formatStatus } from './status.ts';
