/**
 * Scores the engine on the labelled corpus (test/scrub/corpus/generate.ts): card-number recall
 * and precision at the default redaction threshold (`medium`) must be ≥ 99 %, every card finding
 * shows at most BIN + last four, and `redactText` over the corpus leaves no card number (in any
 * encoding), keeps every JSON line valid JSON and every key=value key in place.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findInText, redactText } from '../../../src/scrub/engine.ts';
import { CARD_ENCODINGS, generateCorpus, TEST_CARDS } from './generate.ts';

const corpus = generateCorpus({ lines: 12_000, seed: 7 });

/** All digits of a text, full-width and `\u003X` escapes read as digits. */
function digitsOf(text: string): string {
  return text
    .replace(/%2[0dD]/g, ' ')
    .replace(/\\u003([0-9])/g, '$1')
    .replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10))
    .replace(/\D/g, '');
}

describe('labelled corpus', () => {
  it('covers every brand and every encoding', () => {
    const cards = corpus.flatMap((l) => l.labels.filter((x) => x.type === 'card-number'));
    assert.deepEqual(new Set(cards.map((c) => c.encoding)), new Set(CARD_ENCODINGS));
    const brands = new Set(cards.map((c) => TEST_CARDS.find((t) => t.digits === c.digits)!.brand));
    assert.deepEqual([...brands].sort(), ['amex', 'diners', 'discover', 'jcb', 'maestro', 'mastercard', 'unionpay', 'visa']);
  });

  it('card numbers: recall and precision ≥ 99 % at medium; masks show at most BIN + last four', (t) => {
    let tp = 0;
    let fn = 0;
    let fp = 0;
    const byEncoding = new Map<string, [number, number]>();
    for (const line of corpus) {
      const found = findInText(line.text, { minConfidence: 'medium' }).filter((f) => f.type === 'card-number');
      const labels = line.labels.filter((l) => l.type === 'card-number');
      for (const l of labels) {
        const hit = found.some((f) => f.start === l.start && f.end === l.end);
        const e = byEncoding.get(l.encoding!) ?? [0, 0];
        e[hit ? 0 : 1]++;
        byEncoding.set(l.encoding!, e);
        if (hit) tp++;
        else fn++;
      }
      for (const f of found) {
        if (!labels.some((l) => f.start === l.start && f.end === l.end)) fp++;
        const masked = f.masked;
        const shown = masked.replace(/\*/g, '');
        assert.match(masked, /^\d{0,6}\*{5,}\d{4}$/, 'mask shape');
        const digits = digitsOf(line.text.slice(f.start, f.end));
        assert.ok(shown.length <= 10 && digits.startsWith(masked.slice(0, masked.indexOf('*'))) && digits.endsWith(shown.slice(-4)));
      }
    }
    const recall = tp / (tp + fn);
    const precision = tp / (tp + fp);
    t.diagnostic(`cards: ${tp + fn} labelled, TP ${tp}, FN ${fn}, FP ${fp}; recall ${(recall * 100).toFixed(2)} %, precision ${(precision * 100).toFixed(2)} %`);
    t.diagnostic(`by encoding (found/missed): ${[...byEncoding].map(([k, [a, b]]) => `${k} ${a}/${b}`).join(', ')}`);
    console.log(`# corpus ${corpus.length} lines: cards TP ${tp} FN ${fn} FP ${fp}, recall ${(recall * 100).toFixed(2)} %, precision ${(precision * 100).toFixed(2)} %`);
    assert.ok(tp + fn > 1000);
    assert.ok(recall >= 0.99, `recall ${recall}`);
    assert.ok(precision >= 0.99, `precision ${precision}`);
  });

  it('other labelled types are found at medium or above', (t) => {
    const counts = new Map<string, [number, number]>();
    for (const line of corpus) {
      const found = findInText(line.text, { minConfidence: 'medium' });
      for (const l of line.labels) {
        if (l.type === 'card-number') continue;
        const c = counts.get(l.type) ?? [0, 0];
        c[found.some((f) => f.type === l.type && f.start === l.start && f.end === l.end) ? 0 : 1]++;
        counts.set(l.type, c);
      }
    }
    t.diagnostic([...counts].map(([k, [a, b]]) => `${k} ${a}/${a + b}`).join(', '));
    for (const [type, [, missed]] of counts) assert.equal(missed, 0, type);
  });

  it('redactText leaves no card number, keeps JSON valid and key=value keys in place', () => {
    const keysOf = (s: string) => [...s.matchAll(/(?:^|[\s&?])([A-Za-z_][\w.-]*)=/g)].map((m) => m[1]);
    let redacted = 0;
    for (const line of corpus) {
      const r = redactText(line.text);
      redacted += r.findings.length;
      const again = findInText(r.text).filter((f) => f.type === 'card-number' && f.confidence !== 'low');
      assert.deepEqual(again, [], r.text);
      const digits = digitsOf(r.text);
      for (const l of line.labels) if (l.digits) assert.ok(!digits.includes(l.digits), `a card number survived in a ${line.format} line`);
      if (line.json) JSON.parse(r.text);
      else assert.deepEqual(keysOf(r.text), keysOf(line.text));
    }
    assert.ok(redacted > 0);
  });
});
