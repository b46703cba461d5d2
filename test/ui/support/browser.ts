import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../../harness/src/index.ts';

/** Debian's chromium (scripts/setup installs it); the tests cannot download a browser here. */
export const chromiumPath = process.env.TIDEWATER_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(chromiumPath);
export const skipWithoutChromium = !chromiumAvailable;
if (!chromiumAvailable) console.warn(`[ui tests] skipped: no Chromium at ${chromiumPath} (scripts/setup installs Debian's chromium package)`);

/** Builds the web UI when its sources changed (cached by scripts/build-ui), so the api serves the current one. */
export function buildUi(): void {
  execFileSync(join(repoRoot, 'scripts/build-ui'), { stdio: ['ignore', 'inherit', 'inherit'] });
}

export async function launchChromium(): Promise<Browser> {
  // --no-sandbox: the tests may run as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // Runs in the page: globalThis is its window.
    const page = globalThis as unknown as { document: unknown; axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } };
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.slice(0, 3).map((node) => ({ target: node.target })) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** With TIDEWATER_UI_SCREENSHOTS=1, saves a screenshot of the page into docs/screenshots (the README and docs/ui.md show them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.TIDEWATER_UI_SCREENSHOTS) return;
  const dir = join(repoRoot, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}
