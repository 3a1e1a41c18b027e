/**
 * The notice template language (values, {{#if}}/{{else}}, standalone block lines, errors), the
 * template set checks (required files, known placeholders, self-contained HTML), and the team
 * workflow: initTemplates, edit, writeNotices with the edited set.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CwError } from '../../../src/core/errors.ts';
import { BUILTIN_TEMPLATES, PLACEHOLDERS, initTemplates, loadTemplates, requiredTemplates, writeNotices } from '../../../src/respond/notices/index.ts';
import { escapeHtml, parseTemplate, renderTemplate, type Value } from '../../../src/respond/notices/template.ts';
import { fixture, listFiles, tempDir } from './helpers.ts';

const TXT = { escape: (s: string) => s, list: (items: readonly string[]) => items.map((i) => `- ${i}`).join('\n') };
const HTML = { escape: escapeHtml, list: (items: readonly string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` };

function render(source: string, values: Record<string, Value>, opts = TXT): string {
  return renderTemplate(parseTemplate(source, 't.txt', ['a', 'b', 'list', 'flag']), values, opts);
}

/** Assert `fn` throws a CwError whose message is exactly `message` (one line). */
function throwsLine(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CwError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.message.includes('\n'), false);
    return true;
  });
}

const SHOWN_KNOWN =
  '{{organisation}}, {{title}}, {{cause}}, {{measures}}, {{contact}}, {{lookupUrl}}, {{windowFrom}}, {{windowTo}}, {{activeFirst}}, {{activeLast}}, {{date}}, ' +
  '{{fields}}, {{fieldsInline}}, {{fieldsPlural}}, {{first}}, {{last}}, {{sameTime}}, {{cardShown}}, {{bankShown}}, {{viewers}}, {{serves}}, {{sessionShown}}';
const NOT_AFFECTED_KNOWN = '{{organisation}}, {{title}}, {{cause}}, {{measures}}, {{contact}}, {{lookupUrl}}, {{windowFrom}}, {{windowTo}}, {{activeFirst}}, {{activeLast}}, {{date}}';

describe('the template language', () => {
  it('puts values in, escaping them for HTML, and renders lists', () => {
    assert.equal(render('Hi {{a}}, {{ b }}!', { a: 'A', b: 'B' }), 'Hi A, B!');
    assert.equal(render('<p>{{a}}</p>', { a: '<b>"x" & \'y\'</b>' }, HTML), '<p>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</p>');
    assert.equal(render('Items:\n{{list}}\nend', { list: ['one', 'two'] }), 'Items:\n- one\n- two\nend');
    assert.equal(render('{{list}}', { list: ['<x>'] }, HTML), '<ul><li>&lt;x&gt;</li></ul>');
    assert.equal(render('[{{a}}]', {}), '[]');
  });

  it('keeps {{#if}} parts only for set values, with {{else}} and nesting', () => {
    const src = 'A{{#if a}}1{{#if b}}2{{/if}}{{else}}0{{/if}}Z';
    assert.equal(render(src, { a: 'x', b: 'y' }), 'A12Z');
    assert.equal(render(src, { a: 'x', b: '' }), 'A1Z');
    assert.equal(render(src, { a: '' }), 'A0Z');
    assert.equal(render('{{#if list}}has{{else}}none{{/if}}', { list: [] }), 'none');
    assert.equal(render('{{#if list}}has{{else}}none{{/if}}', { list: ['x'] }), 'has');
  });

  it('drops the whole line of a block tag that stands alone on it', () => {
    const src = 'a\n  {{#if flag}}\nyes\n{{else}}  \nno\n{{/if}}\nz\n';
    assert.equal(render(src, { flag: 'yes' }), 'a\nyes\nz\n');
    assert.equal(render(src, { flag: '' }), 'a\nno\nz\n');
    // Not alone on its line: only the tag goes.
    assert.equal(render('a {{#if flag}}b{{/if}} c\n', { flag: '' }), 'a  c\n');
  });

  it('fails with one line naming the file, the line and the problem', () => {
    const known = ['a', 'flag'];
    throwsLine(() => parseTemplate('x\n{{#if flag}}\ny', 'f.txt', known), 'notice template f.txt line 2: {{#if flag}} is never closed; add {{/if}}');
    throwsLine(() => parseTemplate('x {{/if}}', 'f.txt', known), 'notice template f.txt line 1: {{/if}} without an {{#if}} before it');
    throwsLine(() => parseTemplate('{{#if a}}1{{else}}2{{else}}3{{/if}}', 'f.txt', known), 'notice template f.txt line 1: {{else}} outside an {{#if}} block (or a second {{else}})');
    throwsLine(() => parseTemplate('\n\n{{#each a}}{{/each}}', 'f.txt', known), 'notice template f.txt line 3: {{#each a}} is not a known block; write {{#if name}} … {{/if}}');
    throwsLine(() => parseTemplate('{{a-b}}', 'f.txt', known), 'notice template f.txt line 1: {{a-b}} is not a placeholder; this template may use {{a}}, {{flag}}');
    throwsLine(() => parseTemplate('{{#if nope}}x{{/if}}', 'f.txt', known), 'notice template f.txt line 1: unknown placeholder {{#if nope}}; this template may use {{a}}, {{flag}}');
    throwsLine(() => parseTemplate('ok {{a}}\nthen {{flag', 'f.txt', known), 'notice template f.txt line 2: unmatched "{{"; placeholders are written {{name}}');
  });
});

describe('template sets', () => {
  it('the built-in set loads, for both languages, and the README documents exactly its placeholders', () => {
    const set = loadTemplates();
    assert.equal(set.dir, BUILTIN_TEMPLATES);
    assert.deepEqual(Object.keys(set.files).sort(), requiredTemplates().sort());
    assert.equal(requiredTemplates().length, 16);
    const readme = readFileSync(join(BUILTIN_TEMPLATES, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/\{\{(?:#if )?([A-Za-z]+)\}\}/g)].map((m) => m[1]!));
    documented.delete('name'); // the syntax examples
    documented.delete('else');
    assert.deepEqual([...documented].sort(), [...new Set(Object.values(PLACEHOLDERS).flat())].sort());
  });

  it('initTemplates copies the built-in set, then refuses to overwrite it', () => {
    const dir = tempDir();
    const files = initTemplates(dir);
    assert.deepEqual(files, ['README.md', ...requiredTemplates()]);
    assert.deepEqual(listFiles(dir), [...files].sort());
    for (const f of files) assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(BUILTIN_TEMPLATES, f), 'utf8'), f);
    throwsLine(() => initTemplates(dir), `${dir} already has notice templates (README.md, en/shown.txt, en/shown.html, …); edit those, or choose an empty folder`);
  });

  it('writeNotices uses the edited templates', () => {
    const dir = tempDir();
    initTemplates(dir);
    const file = join(dir, 'en', 'shown.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('We are sorry. Below', 'We apologise for "{{title}}". Below'));
    const html = join(dir, 'en', 'shown.html');
    writeFileSync(html, readFileSync(html, 'utf8').replace('>We are sorry. ', '>We apologise for &ldquo;{{title}}&rdquo;. '));
    const out = join(tempDir(), 'out');
    const res = writeNotices(fixture(), { lang: 'en', outDir: out, templatesDir: dir, now: () => 0 });
    assert.equal(res.byStatus.shown, 3);
    const txt = readFileSync(join(out, 'shown', 'cduydB0JI73jAQR1YdYqpA.txt'), 'utf8');
    assert.ok(txt.startsWith('Your personal data was shown to another customer.\n\nWe apologise for "Customer pages shown to other customers". Below we say\nwhich of your data'), txt);
    assert.ok(readFileSync(join(out, 'shown', 'cduydB0JI73jAQR1YdYqpA.html'), 'utf8').includes('>We apologise for &ldquo;Customer pages shown to other customers&rdquo;. Below'));
    // Other statuses still come from the (unedited) copies.
    assert.ok(readFileSync(join(out, 'derived', 'Mk6zpKNiFBtd-8vY_NlVpg.txt'), 'utf8').includes('\nWe are sorry. Your own page was not shown.'));
    assert.equal(readFileSync(join(out, 'summary.txt'), 'utf8').split('\n')[4], `Templates: ${dir}`);
  });

  it('an unknown placeholder in an edited template is one exact line naming the file, the placeholder and the known ones', () => {
    const dir = tempDir();
    initTemplates(dir);
    const file = join(dir, 'en', 'shown.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('We are sorry.', '{{organization}} is sorry.'));
    const expected = `notice template ${file} line 3: unknown placeholder {{organization}} (did you mean {{organisation}}?); this template may use ${SHOWN_KNOWN}`;
    throwsLine(() => loadTemplates(dir), expected);
    throwsLine(() => writeNotices(fixture(), { lang: 'en', outDir: join(tempDir(), 'out'), templatesDir: dir }), expected);
    try {
      loadTemplates(dir);
    } catch (e) {
      assert.equal((e as CwError).line(), `${expected} (CW_INPUT_UNREADABLE)`);
    }
    // Each status knows its own placeholders: a not-affected notice has no data items to list.
    writeFileSync(file, readFileSync(join(BUILTIN_TEMPLATES, 'en', 'shown.txt'), 'utf8'));
    const na = join(dir, 'ja', 'not-affected.txt');
    const original = readFileSync(na, 'utf8');
    writeFileSync(na, `${original}\n{{fields}}\n`);
    const line = original.split('\n').length + 1; // the file ends with a newline; one blank line, then {{fields}}
    assert.equal(line, 24);
    throwsLine(() => loadTemplates(dir), `notice template ${na} line ${line}: unknown placeholder {{fields}}; this template may use ${NOT_AFFECTED_KNOWN}`);
    // Loading only English does not read the Japanese set.
    assert.equal(Object.keys(loadTemplates(dir, ['en']).files).length, 8);
  });

  it('a missing template or folder is one line with the fix', () => {
    const dir = tempDir();
    initTemplates(dir);
    rmSync(join(dir, 'ja', 'possibly.html'));
    rmSync(join(dir, 'ja', 'shown.txt'));
    throwsLine(
      () => loadTemplates(dir),
      `notice templates in ${dir}: missing ja/shown.txt, ja/possibly.html; copy the built-in ones with \`cachewarden notices --init-templates <empty folder>\` and move them in`,
    );
    assert.equal(writeNotices(fixture(), { lang: 'en', outDir: join(tempDir(), 'out'), templatesDir: dir, now: () => 0 }).written, 8);
    throwsLine(() => loadTemplates(join(dir, 'nope')), `notice templates folder ${join(dir, 'nope')} does not exist; create it with \`cachewarden notices --init-templates ${join(dir, 'nope')}\``);
  });

  it('an HTML template that would run code or load anything is refused', () => {
    const rule = 'an HTML notice is a self-contained e-mail body: inline styles only, no scripts, no external resources, links only to {{lookupUrl}} or mailto:';
    const cases: Array<[string, string]> = [
      ['<script>track()</script>', '<script> is not allowed'],
      ['<img src="https://cdn.example/logo.png" alt="">', 'src= (an external resource) is not allowed'],
      ['<a href="https://example.com/help">help</a>', 'link to "https://example.com/help" is not allowed'],
      ['<p style="background:url(https://t.example/p.gif)">x</p>', 'url( (an external resource) is not allowed'],
      ['<p onclick="x()">x</p>', 'an event handler attribute is not allowed'],
    ];
    for (const [snippet, problem] of cases) {
      const dir = tempDir();
      initTemplates(dir);
      const file = join(dir, 'en', 'possibly.html');
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.splice(15, 0, snippet);
      writeFileSync(file, lines.join('\n'));
      throwsLine(() => loadTemplates(dir), `notice template ${file} line 16: ${problem}; ${rule}`);
    }
    // mailto: links are fine.
    const dir = tempDir();
    initTemplates(dir);
    const file = join(dir, 'en', 'possibly.html');
    writeFileSync(file, readFileSync(file, 'utf8').replace('</body>', '<a href="mailto:desk@example.com">desk</a>\n</body>'));
    assert.equal(Object.keys(loadTemplates(dir, ['en']).files).length, 8);
  });
});
