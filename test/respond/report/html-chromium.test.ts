/**
 * The HTML report in headless Chromium (the Debian package, through playwright-core): it loads
 * with no request besides itself and no console error, the four charts have a size, the CSP in
 * its meta tag blocks an injected script and image, and a screenshot is saved to
 * .cachewarden/test-artifacts/report.png (and report-ja.png). Skipped with a reason when
 * /usr/bin/chromium is missing outside CI; in CI a missing Chromium fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../../../src/respond/report/html.ts';
import leakJson from '../fixtures/report-leak.json' with { type: 'json' };
import { asScopeReport } from './conform.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../../.cachewarden/test-artifacts/', import.meta.url);
const missing = !existsSync(CHROMIUM);
const skip = missing && !process.env.CI ? `${CHROMIUM} is not installed (apt-get install chromium); CI runs this test` : false;

describe('the HTML report in headless Chromium', { skip }, () => {
  let browser: Browser;
  const leak = asScopeReport(leakJson);

  before(async () => {
    assert.equal(missing, false, `${CHROMIUM} is missing: CI must install the Debian chromium package`);
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  after(async () => {
    await browser?.close();
  });

  /** Opens a page from a file and records every request and console error it causes. */
  async function open(name: string, html: string) {
    const file = new URL(name, ARTIFACTS);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    const responses: string[] = [];
    const failed: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('response', (r) => responses.push(r.url()));
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file.pathname).href);
    return { page, requests, responses, failed, errors, url: pathToFileURL(file.pathname).href };
  }

  for (const lang of ['en', 'ja'] as const) {
    it(`renders the ${lang} report with no other request and no error, and saves a screenshot`, async () => {
      const suffix = lang === 'en' ? '' : '-ja';
      const { page, requests, errors, url } = await open(`report${suffix}.html`, renderHtml(leak, { lang }));
      assert.deepEqual(requests, [url]);
      assert.deepEqual(errors, []);
      assert.equal(await page.title(), lang === 'en' ? 'Personal pages shown to other customers – Scope report' : 'Personal pages shown to other customers – 影響範囲レポート');
      const charts = await page.$$eval('svg[role="img"]', (els) => els.map((e) => [e.id, Math.round(e.getBoundingClientRect().width) > 300, Math.round(e.getBoundingClientRect().height) > 50]));
      assert.deepEqual(charts, [
        ['chart-funnel', true, true],
        ['chart-timeline', true, true],
        ['chart-route', true, true],
        ['chart-edge', true, true],
      ]);
      await page.screenshot({ path: new URL(`report${suffix}.png`, ARTIFACTS).pathname, fullPage: true });
      await page.close();
    });
  }

  it('its Content-Security-Policy blocks an injected script and image', async () => {
    const injected = renderHtml(leak).replace('</body>', '<img src="http://127.0.0.1:9/probe.png" alt=""><script>document.title = "pwned"</script></body>');
    const { page, responses, failed, errors, url } = await open('report-csp.html', injected);
    // Chromium announces the image request, then refuses it on the policy: nothing leaves the page.
    assert.deepEqual(responses, [url]);
    assert.deepEqual(failed, ['http://127.0.0.1:9/probe.png csp']);
    assert.equal(await page.title(), 'Personal pages shown to other customers – Scope report');
    assert.deepEqual(
      errors.map((e) => (/image .*Content Security Policy/.test(e) ? 'image refused' : /inline script .*Content Security Policy/.test(e) ? 'script refused' : e)).sort(),
      ['image refused', 'script refused'],
    );
    await page.close();
  });
});
