// Structure check run with the tests: shared/ never imports a service, and no package imports itself in a cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = new Map<string, { dir: string; deps: Set<string> }>();
for (const group of ['shared', 'services']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    if (!statSync(dir).isDirectory()) continue;
    packages.set(`@tidewater/${name}`, { dir, deps: new Set() });
  }
}
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
  entry.isDirectory() ? (entry.name === 'node_modules' ? [] : files(join(dir, entry.name))) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []);
const problems: string[] = [];
for (const [name, pkg] of packages) {
  for (const file of files(pkg.dir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(@tidewater\/[a-z-]+)/g)) {
      const target = match[1];
      if (target === name) continue;
      pkg.deps.add(target);
      if (pkg.dir.includes('/shared/') && packages.get(target)?.dir.includes('/services/')) {
        problems.push(`${relative(root, file)}: shared package imports service ${target}`);
      }
    }
  }
}
const visit = (name: string, path: string[]) => {
  if (path.includes(name)) { problems.push(`import cycle: ${[...path, name].join(' -> ')}`); return; }
  for (const dep of packages.get(name)?.deps ?? []) visit(dep, [...path, name]);
};
for (const name of packages.keys()) visit(name, []);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`[check-imports] ${packages.size} packages, no cycles, shared imports no service`);
