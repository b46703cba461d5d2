import { Command } from 'commander';
import { CliError } from './exit-codes.ts';

interface Node { name: string; options: string[]; children: Node[] }

function tree(command: Command): Node {
  return {
    name: command.name(),
    options: command.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => Boolean(flag))),
    children: command.commands.map(tree),
  };
}

/** A bash completion script: subcommands at each level, then that command's flags. */
function bashScript(root: Node): string {
  const cases: string[] = [];
  const walk = (node: Node, path: string) => {
    cases.push(`    "${path}") words="${[...node.children.map((child) => child.name), ...node.options, '--help'].join(' ')}" ;;`);
    for (const child of node.children) walk(child, `${path} ${child.name}`.trim());
  };
  walk(root, '');
  return `# tide bash completion: source <(tide completion bash)
_tide() {
  local cur path="" word words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) path="\${path:+$path }$word" ;; esac
  done
  case "$path" in
${cases.join('\n')}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _tide tide
`;
}

/** `tide completion bash|zsh`: prints a completion script for the shell. */
export function completionCommand(root: () => Command): Command {
  return new Command('completion').description('Print a shell completion script: source <(tide completion bash)').argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      const script = bashScript(tree(root()));
      if (shell === 'bash') return void process.stdout.write(script);
      if (shell === 'zsh') return void process.stdout.write(`autoload -U +X bashcompinit && bashcompinit\n${script}`);
      throw new CliError(`shell ${shell}: use bash or zsh`);
    });
}
