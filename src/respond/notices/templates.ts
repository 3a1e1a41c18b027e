/**
 * Notice template files: the built-in set (templates/{en,ja}/<status>.{txt,html}), copying it to a
 * folder a team can edit (`initTemplates`), and loading a set (`loadTemplates`), which checks that
 * every required file exists, uses only the placeholders its status knows, and, for HTML, stays a
 * self-contained e-mail body (no scripts, no external resources).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CwError } from '../../core/errors.ts';
import { STATUSES, type Status } from '../types.ts';
import { PLACEHOLDERS } from './placeholders.ts';
import { parseTemplate, type Template } from './template.ts';
import { LANGS, type Lang } from './words.ts';

export const FORMATS = ['txt', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** The folder of the built-in templates (beside this file, in src/ and in dist/). */
export const BUILTIN_TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

/** A loaded, checked set of templates. */
export interface NoticeTemplates {
  /** Absolute folder they came from. */
  dir: string;
  langs: Lang[];
  /** Keyed `en/shown.txt`. */
  files: Record<string, Template>;
}

/** The relative path of one template, e.g. `ja/possibly.html`. */
export function templatePath(lang: Lang, status: Status, format: Format): string {
  return `${lang}/${status}.${format}`;
}

/** Every template file a set must have, for the given languages. */
export function requiredTemplates(langs: readonly Lang[] = LANGS): string[] {
  const out: string[] = [];
  for (const lang of langs) for (const status of STATUSES) for (const format of FORMATS) out.push(templatePath(lang, status, format));
  return out;
}

export function templateFor(set: NoticeTemplates, lang: Lang, status: Status, format: Format): Template {
  const t = set.files[templatePath(lang, status, format)];
  if (t === undefined) throw new Error(`templates for ${lang} were not loaded`);
  return t;
}

/**
 * Copy the built-in templates (and their README) into `dir`, creating it. Refuses, writing
 * nothing, when any of the files already exists there, so a team's edits are never overwritten.
 * Returns the files written, relative to `dir`.
 */
export function initTemplates(dir: string): string[] {
  const target = resolve(dir);
  const files = ['README.md', ...requiredTemplates()];
  const present = files.filter((f) => existsSync(join(target, f)));
  if (present.length > 0) {
    throw new CwError('CW_USAGE_BAD_FLAG', `${target} already has notice templates (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); edit those, or choose an empty folder`);
  }
  try {
    for (const lang of LANGS) mkdirSync(join(target, lang), { recursive: true });
    for (const f of files) copyFileSync(join(BUILTIN_TEMPLATES, f), join(target, f));
  } catch (e) {
    throw new CwError('CW_INPUT_UNREADABLE', `cannot write notice templates to ${target}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; check the folder and its permissions`, { cause: e });
  }
  return files;
}

/**
 * Load and check a template set: `dir` (a folder made by `initTemplates`, maybe edited) or the
 * built-in set. Every required file for `langs` must exist; each may use only its status's
 * placeholders. Fails with one line naming the problem and the fix.
 */
export function loadTemplates(dir?: string, langs: readonly Lang[] = LANGS): NoticeTemplates {
  const root = dir === undefined ? BUILTIN_TEMPLATES : resolve(dir);
  if (dir !== undefined && !(existsSync(root) && statSync(root).isDirectory())) {
    throw new CwError('CW_INPUT_UNREADABLE', `notice templates folder ${root} does not exist; create it with \`cachewarden notices --init-templates ${dir}\``);
  }
  const missing = requiredTemplates(langs).filter((f) => !existsSync(join(root, f)));
  if (missing.length > 0) {
    throw new CwError('CW_INPUT_UNREADABLE', `notice templates in ${root}: missing ${missing.join(', ')}; copy the built-in ones with \`cachewarden notices --init-templates <empty folder>\` and move them in`);
  }
  const files: Record<string, Template> = {};
  for (const lang of langs) {
    for (const status of STATUSES) {
      for (const format of FORMATS) {
        const rel = templatePath(lang, status, format);
        const file = join(root, rel);
        let source: string;
        try {
          source = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
        } catch (e) {
          throw new CwError('CW_INPUT_UNREADABLE', `cannot read notice template ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
        }
        if (format === 'html') checkSelfContained(source, file);
        files[rel] = parseTemplate(source, file, PLACEHOLDERS[status]);
      }
    }
  }
  return { dir: root, langs: [...langs], files };
}

const FORBIDDEN: ReadonlyArray<readonly [RegExp, string]> = [
  [/<script\b/i, '<script>'],
  [/<style\b/i, '<style> (use inline style="" attributes)'],
  [/<link\b/i, '<link>'],
  [/<(?:iframe|object|embed|form|base|meta\s+http-equiv)\b/i, 'an embedded or active element'],
  [/\ssrc\s*=/i, 'src= (an external resource)'],
  [/\son[a-z]+\s*=/i, 'an event handler attribute'],
  [/url\s*\(/i, 'url( (an external resource)'],
  [/@import/i, '@import'],
];
const HREF_RE = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const HTML_RULE = 'an HTML notice is a self-contained e-mail body: inline styles only, no scripts, no external resources, links only to {{lookupUrl}} or mailto:';

function lineOf(source: string, index: number): number {
  return source.slice(0, index).split('\n').length;
}

/** Reject what would make an HTML notice run code or load anything. */
function checkSelfContained(source: string, file: string): void {
  for (const [re, what] of FORBIDDEN) {
    const m = re.exec(source);
    if (m !== null) throw new CwError('CW_INPUT_UNREADABLE', `notice template ${file} line ${lineOf(source, m.index)}: ${what} is not allowed; ${HTML_RULE}`);
  }
  for (const m of source.matchAll(HREF_RE)) {
    const href = (m[1] ?? m[2] ?? m[3] ?? '').trim();
    if (/^\{\{\s*lookupUrl\s*\}\}$/.test(href) || /^mailto:/i.test(href)) continue;
    throw new CwError('CW_INPUT_UNREADABLE', `notice template ${file} line ${lineOf(source, m.index)}: link to "${href}" is not allowed; ${HTML_RULE}`);
  }
}
