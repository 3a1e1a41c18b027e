/**
 * `cachewarden notices`: one plain notice per person from a scope report, in Japanese or English,
 * as text and e-mail-ready HTML. The first sentence always says whether the reader was affected.
 */
import { CwError } from '../../core/errors.ts';
import { RespondSchema } from '../../config/schema.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'notices',
  summary: 'write one plain notice per person (ja/en, text and HTML) from a scope report',
  usage: 'notices --report <report.json> --out <dir> [--lang ja|en] [--include-unaffected] [--templates <dir>] | notices --init-templates <dir>',
  description: `
Writes <out>/<status>/<person>.txt and .html for everyone whose data was shown to someone else,
exposed on another person's page, or possibly exposed; with --include-unaffected also a short
"your data was not exposed" notice for everyone else active in the window. The first sentence
says whether the reader was affected; then which data, when, what happened, what was done,
what they can do and whom to contact (respond.incident in the config). Templates are files a
team can edit: --init-templates <dir> copies the built-in ones, respond.notices.templates or
--templates uses them. Also writes index.csv and summary.txt.`,
  flags: {
    report: { type: 'string', short: 'r', value: '<file>', description: 'the JSON report written by `scope -o`' },
    out: { type: 'string', short: 'o', value: '<dir>', description: 'folder to write the notices to' },
    lang: { type: 'string', value: '<ja|en>', default: 'en', description: 'language of the notices' },
    'include-unaffected': { type: 'boolean', description: 'also write a notice for people who were not affected' },
    templates: { type: 'string', value: '<dir>', description: 'template folder (default respond.notices.templates, else built-in)' },
    'init-templates': { type: 'string', value: '<dir>', description: 'copy the built-in templates to <dir> for editing, and stop' },
  },
  config: 'optional',
  exitCodes: { 0: 'notices written', 2: 'usage, config, unreadable report or bad template' },
  examples: [
    'cachewarden notices --report report.json --lang ja --out notices/',
    'cachewarden notices --init-templates incident/templates && cachewarden notices -r report.json -o notices --templates incident/templates',
  ],
  async run({ flags, config, out }) {
    const cfg = config?.config;
    const notices = await import('../../respond/notices/index.ts');
    if (flags['init-templates']) {
      notices.initTemplates(flags['init-templates']);
      out.stdout(`wrote the built-in templates to ${flags['init-templates']}; edit them and pass --templates ${flags['init-templates']}\n`);
      return 0;
    }
    if (!flags.report) throw new CwError('CW_USAGE_BAD_FLAG', 'notices: pass --report <report.json> (written by `cachewarden scope -o`)');
    if (!flags.out) throw new CwError('CW_USAGE_BAD_FLAG', 'notices: pass --out <dir> for the notices');
    const lang = flags.lang ?? 'en';
    if (lang !== 'en' && lang !== 'ja') throw new CwError('CW_USAGE_BAD_FLAG', `notices: --lang "${lang}" must be ja or en`);
    const { loadReport } = await import('../../respond/lookup/index.ts');
    const report = loadReport(flags.report);
    const templatesDir = flags.templates ?? (cfg?.respond ?? RespondSchema.parse({})).notices.templates;
    const result = notices.writeNotices(report, {
      lang,
      outDir: flags.out,
      includeUnaffected: flags['include-unaffected'] === true,
      ...(templatesDir ? { templatesDir } : {}),
    });
    const by = Object.entries(result.byStatus).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    out.stdout(`wrote ${result.written} notice(s) to ${result.outDir}${by ? ` (${by})` : ''}, as .txt and .html, with index.csv and summary.txt\n`);
    return 0;
  },
});
