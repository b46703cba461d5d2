export { startAll, type StartAllOptions, type RunningTidewater } from './start-all.ts';
export { formatStatus, statusHeader, type AppStatus } from './status.ts';
export { requestControl, controlJobId, defaultControlTimeoutMs, ControlRequestError, type ControlRequestOptions } from './control-client.ts';
export { formatHistory, type PauseInfo } from './history-table.ts';
export { formatControlResult } from './control-output.ts';
