import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { STRONG_PASSWORD } from '../../../test/support/httpClient.js';

// What the client's browser tests share: Debian's Chromium (as CI installs it, like test/browser/*), the two widths
// the issue names, screenshots into web/screenshots (git-ignored; docs/clients.md links them), and axe-core.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };
export const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'screenshots');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root in a sandboxless container; background networking off because this machine has no internet.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Collects what must never happen on the page: a script error, or anything the CSP refused. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) problems.push(message.text());
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { width } = page.viewportSize() ?? DESKTOP;
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`) });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical violations on the page as it is now (evaluated by the test, not the page's CSP). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  // A string, because the test's own types know no DOM (tsconfig.json lib): it runs in the page.
  const violations: AxeViolation[] = await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)");
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.slice(0, 3).map((node) => node.target))}`);
}

/** Signs up on the page itself, with an e-mail and a display name. */
export async function signUpInPage(page: Page, username: string, displayName: string): Promise<void> {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', STRONG_PASSWORD);
  await page.fill('input[name=email]', `${username}@example.test`);
  await page.fill('input[name=displayName]', displayName);
  await page.click('button[value=register]');
  await page.waitForSelector('#me');
}
