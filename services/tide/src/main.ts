#!/usr/bin/env node
// The `tide` command: `tide all` runs every service in one process; every other command operates Tidewater
// through its API (`tide login <url>` first). See `tide --help`.
import { createProgram, runProgram } from './cli/program.ts';
import { runAll } from './run-all.ts';

const program = createProgram({
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  runAll,
});
const code = await runProgram(program, process.argv.slice(2), (text) => process.stderr.write(`${text}\n`));
// `tide all` keeps its servers running; every other command ends with its exit code.
if (code !== 0 || process.argv[2] !== 'all') process.exit(code);
