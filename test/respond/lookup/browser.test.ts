/**
 * The lookup page in headless Chromium (the Debian package, driven by playwright-core): a person
 * whose page was shown to someone else arrives with ?token=, lands on / without the token, and
 * reads the first sentence in English and in Japanese. Screenshots go to
 * .cachewarden/test-artifacts/lookup-en.png and lookup-ja.png.
 *
 * Without /usr/bin/chromium the test is skipped, unless CI is set: then it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { COOKIE_NAME } from '../../../src/respond/lookup/index.ts';
import { mint, start } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../.cachewarden/test-artifacts/', import.meta.url));
const missing = !existsSync(CHROMIUM);
const skip = missing && !process.env['CI'] ? `${CHROMIUM} is not installed (apt-get install chromium); set CI=1 to make this a failure` : false;

describe('lookup page in headless Chromium', { skip, timeout: 120_000 }, () => {
  it('shows a shown person their status in en and ja, without the token in the address', async () => {
    assert.equal(missing, false, `${CHROMIUM} is not installed; the lookup page must be checked in a real browser on CI`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const server = await start();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const cases = [
        { locale: 'en-US', file: 'lookup-en.png', headline: 'Your personal data was shown to someone else.', h2: 'Data involved' },
        { locale: 'ja-JP', file: 'lookup-ja.png', headline: 'あなたの個人データが他の方に表示されました。', h2: '対象となった情報' },
      ];
      for (const c of cases) {
        const context = await browser.newContext({ locale: c.locale, viewport: { width: 800, height: 900 } });
        try {
          const page = await context.newPage();
          const token = await mint({ sub: 'alice' });
          const res = await page.goto(`${server.url}/?token=${token}`);
          assert.equal(res?.status(), 200);
          assert.equal(page.url(), `${server.url}/`);
          assert.equal(await page.locator('#headline').innerText(), c.headline);
          assert.equal(await page.locator('h2').first().innerText(), c.h2);
          // The inline style applies under the CSP (style-src 'unsafe-inline').
          assert.equal(await page.locator('#headline').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontWeight: string } }).getComputedStyle(el).fontWeight), '700');
          const cookies = await context.cookies();
          assert.deepEqual(
            cookies.map((k) => [k.name, k.httpOnly, k.sameSite, k.path]),
            [[COOKIE_NAME, true, 'Strict', '/']],
          );
          const file = `${ARTIFACTS}${c.file}`;
          await page.screenshot({ path: file, fullPage: true });
          assert.equal(statSync(file).size > 0, true);
        } finally {
          await context.close();
        }
      }
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
