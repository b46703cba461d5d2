import { Command, CommanderError } from 'commander';
import { accountCommand, projCommand } from './account-commands.ts';
import { createApiClient, type ApiClient } from './api-client.ts';
import { appCommand, type CommandIo } from './app-commands.ts';
import { completionCommand } from './completion.ts';
import { defaultConfigPath, readCliConfig, resolveContext } from './config-file.ts';
import { eventsCommands } from './events-commands.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { imageCommand } from './image-commands.ts';
import { localConfigCommands } from './local-config-commands.ts';
import { pipelineCommand, promotionCommands } from './pipeline-commands.ts';
import { sessionCommands } from './session-commands.ts';

export interface ProgramDeps {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** `tide all`: every service in this process (unchanged by the move of the other commands to the API). */
  runAll(): Promise<void>;
}

/**
 * The `tide` command: `tide all` runs Tidewater; every other command talks to the operator API only, with the
 * context `tide login` stored (or --server/--auth-token, TIDE_SERVER/TIDE_AUTH_TOKEN).
 */
export function createProgram(deps: ProgramDeps): Command {
  const program = new Command('tide')
    .description('Tidewater: event-driven GitOps. `tide all` runs it; the other commands operate it through its API.')
    .option('--server <url>', 'API URL (TIDE_SERVER; default: the current context)')
    .option('--auth-token <token>', 'token to authenticate with (TIDE_AUTH_TOKEN)')
    .option('--context <name>', 'context from the config file')
    .option('--config <path>', 'CLI config file (default ~/.config/tide/config)')
    .showHelpAfterError()
    .exitOverride();

  const globals = () => program.opts<{ server?: string; authToken?: string; context?: string; config?: string }>();
  const configPath = () => globals().config ?? deps.env.TIDE_CONFIG ?? defaultConfigPath(deps.env);
  let client: ApiClient | undefined;
  const io: CommandIo & { configPath(): string; env: NodeJS.ProcessEnv } = {
    env: deps.env,
    configPath,
    out: deps.out,
    err: deps.err,
    client() {
      if (!client) {
        const { server, authToken, context } = globals();
        const resolved = resolveContext(readCliConfig(configPath()), {
          ...(server ?? deps.env.TIDE_SERVER ? { server: server ?? deps.env.TIDE_SERVER } : {}),
          ...(authToken ?? deps.env.TIDE_AUTH_TOKEN ? { authToken: authToken ?? deps.env.TIDE_AUTH_TOKEN } : {}),
          ...(context ? { context } : {}),
        });
        client = createApiClient(resolved.server, resolved.authToken);
      }
      return client;
    },
  };

  program.command('all').description('Run every Tidewater service in this process (REDIS_URL, TIDEWATER_CONFIG, PORT, API_PORT, …)')
    .action(() => deps.runAll());
  for (const command of sessionCommands(io)) program.addCommand(command);
  program.addCommand(appCommand(io));
  for (const command of eventsCommands(io)) program.addCommand(command);
  program.addCommand(imageCommand(io));
  program.addCommand(pipelineCommand(io));
  for (const command of promotionCommands(io)) program.addCommand(command);
  program.addCommand(accountCommand(io));
  program.addCommand(projCommand(io));
  for (const command of localConfigCommands(io)) program.addCommand(command);
  program.addCommand(completionCommand(() => program));
  // Every subcommand reports usage errors the same way (exit code 20 after the help line).
  const override = (command: Command) => {
    command.exitOverride().showHelpAfterError();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

/** Runs the program and turns errors into argocd's exit codes; returns the exit code. */
export async function runProgram(program: Command, argv: string[], err: (text: string) => void): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return exitCodes.ok;
      return exitCodes.generic;
    }
    if (error instanceof CliError) {
      if (error.message) err(`tide: ${error.message}`);
      return error.exitCode;
    }
    err(`tide: ${(error as Error).message}`);
    return exitCodes.generic;
  }
}
