// `npm run bench -- <name>`: runs bench/<name>.ts's `run()`; without a name, lists every benchmark in bench/.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

interface BenchmarkModule {
  run(): Promise<void>;
  /** One line for the listing. */
  description?: string;
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(benchDir).filter((file) => file.endsWith('.ts') && file !== 'run.ts').map((file) => file.slice(0, -3)).sort();
const load = (name: string) => import(`./${name}.ts`) as Promise<BenchmarkModule>;

const aliases: Record<string, string> = { fuzz: 'fuzz-webhooks' };
const name = aliases[process.argv[2] ?? ''] ?? process.argv[2];
if (!name || !names.includes(name)) {
  if (name) console.error(`unknown benchmark "${name}"`);
  console.log('usage: npm run bench -- <name>\n');
  for (const benchmark of names) {
    const description = await load(benchmark).then((module) => module.description ?? '', (error: Error) => `(cannot load: ${error.message})`);
    console.log(`  ${benchmark.padEnd(10)} ${description}`);
  }
  process.exit(name ? 2 : 0);
}

try {
  await (await load(name)).run();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
