/**
 * The incident facts in the reader's language: respond.incident.ja / .en translate any field, the
 * rest falls back; notices, the HTML report and the lookup answer all use the translation.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { localIncident } from '../../src/respond/incident.ts';
import { writeNotices } from '../../src/respond/notices/index.ts';
import { renderHtml } from '../../src/respond/report/html.ts';
import type { IncidentInfo, ScopeReport } from '../../src/respond/types.ts';
import { fixture, tempDir } from './notices/helpers.ts';

const FACTS: IncidentInfo = {
  organisation: 'Example Shop Co.',
  title: 'Member pages shown to other members',
  cause: 'A cache stored member pages.',
  measures: ['Member pages are no longer cached.'],
  contact: 'support@shop.example.test',
  translations: { ja: { title: '会員ページが他の会員に表示された件', cause: 'キャッシュが会員ページを保存していました。', measures: ['会員ページをキャッシュしないようにしました。'] } },
};

test('localIncident takes the translated fields and falls back for the rest', () => {
  const ja = localIncident(FACTS, 'ja');
  assert.deepEqual(
    [ja.title, ja.cause, ja.measures, ja.organisation, ja.contact],
    ['会員ページが他の会員に表示された件', 'キャッシュが会員ページを保存していました。', ['会員ページをキャッシュしないようにしました。'], 'Example Shop Co.', 'support@shop.example.test'],
  );
  assert.equal(localIncident(FACTS, 'en'), FACTS, 'no English translation: the facts as given');
});

test('Japanese notices and the Japanese report use the translation; English ones the original', () => {
  const report: ScopeReport = { ...fixture(), incident: FACTS };
  const dir = tempDir();
  try {
    writeNotices(report, { lang: 'ja', outDir: join(dir, 'ja') });
    writeNotices(report, { lang: 'en', outDir: join(dir, 'en') });
    const shown = report.people.find((p) => p.status === 'shown')!.id.slice(2);
    const ja = readFileSync(join(dir, 'ja', 'shown', `${shown}.txt`), 'utf8');
    const en = readFileSync(join(dir, 'en', 'shown', `${shown}.txt`), 'utf8');
    assert.match(ja, /\nキャッシュが会員ページを保存していました。\n/);
    assert.match(ja, /\n・会員ページをキャッシュしないようにしました。\n/);
    assert.doesNotMatch(ja, /A cache stored member pages/);
    assert.match(en, /\nA cache stored member pages\.\n/);
    assert.match(renderHtml(report, { lang: 'ja' }), /<h1>会員ページが他の会員に表示された件<\/h1>/);
    assert.match(renderHtml(report, { lang: 'en' }), /<h1>Member pages shown to other members<\/h1>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
