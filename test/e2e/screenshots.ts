// Screenshots of the browser tests, each with an axe-core check: serious and critical WCAG A/AA violations
// are collected for the test to assert on. Files go to test-results/screenshots/.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** `shot(page, name)` saves a full-page screenshot and adds the page's accessibility problems to `problems`. */
export function screenshotter(): { shot(page: Page, name: string): Promise<void>; problems: string[] } {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const problems: string[] = [];
  return {
    problems,
    async shot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
      await page.addScriptTag({ content: AXE_SOURCE });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
        const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
      }).then(
        (found) => found,
        (err: unknown) => [`axe-core could not run: ${String(err)}`],
      );
      for (const v of violations) problems.push(`${name}: ${v}`);
    },
  };
}
