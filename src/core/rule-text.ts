/**
 * Text helpers every rule module kind shares (watch detectors, probe techniques, verify rules):
 * where a rule's docs page lives, and how a message template is filled in.
 */

/** `docs/rules/<id with / as ->.md` */
export function docsUrl(id: string): string {
  return `docs/rules/${id.replace(/\//g, '-')}.md`;
}

/** Fills `{placeholders}` from data; unknown placeholders stay as written. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (data[k] === undefined ? m : String(data[k])));
}
