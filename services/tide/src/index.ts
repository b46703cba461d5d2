export { startAll, type StartAllOptions, type RunningTidewater } from './start-all.ts';
export { requestControl, controlJobId, defaultControlTimeoutMs, ControlRequestError, type ControlRequestOptions } from './control-client.ts';
export { formatHistory, type PauseInfo } from './history-table.ts';
export { createProgram, runProgram, type ProgramDeps } from './cli/program.ts';
export { describeApp } from './cli/app-commands.ts';
