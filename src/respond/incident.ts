/**
 * The incident facts in the reader's language: `respond.incident` gives them once, and
 * `respond.incident.ja` / `.en` may translate any of them; what a language leaves out falls back
 * to the untranslated fields. Notices, the lookup page and the HTML report all read them here.
 */
import type { IncidentInfo } from './types.ts';

export function localIncident(info: IncidentInfo, lang: 'en' | 'ja'): IncidentInfo {
  const t = info.translations?.[lang];
  if (!t) return info;
  const out: IncidentInfo = { ...info };
  if (t.organisation !== undefined) out.organisation = t.organisation;
  if (t.title !== undefined) out.title = t.title;
  if (t.cause !== undefined) out.cause = t.cause;
  if (t.measures !== undefined) out.measures = [...t.measures];
  if (t.contact !== undefined) out.contact = t.contact;
  return out;
}
