/**
 * Whose data is in a response body? Decided from the body itself, by matching the known
 * people's personal data, so it works with owner tags off (and checks them when on).
 *
 * - The owner is the person the page was rendered for: HTML pages name them inside
 *   `<div class="account">…</div>`; JSON responses in the top-level `account` object.
 * - Related people are everybody else whose personal data appears anywhere in the body
 *   (e.g. the buyer's shipping name and address on the seller's transaction page).
 */
import { escapeHtml } from '../origin/render.ts';
import { PERSONAL_FIELDS, personalMarkers } from '../people.ts';
import type { PersonalField, Person } from '../people.ts';

export interface Attribution {
  /** Person the body was rendered for, or null if it is nobody's page. */
  owner: string | null;
  /** Which of the owner's data the body shows. */
  ownerFields: PersonalField[];
  /** Other people whose data the body shows, with which data. */
  related: Record<string, PersonalField[]>;
}

export type Attributor = (body: string, contentType: string | undefined) => Attribution;

const ACCOUNT_RE = /<div class="account">([\s\S]*?)<\/div>/;

interface Entry {
  id: string;
  html: [PersonalField, string][];
  plain: [PersonalField, string][];
}

export function createAttributor(people: readonly Person[]): Attributor {
  const entries: Entry[] = people.map((p) => {
    const m = personalMarkers(p);
    const plain = PERSONAL_FIELDS.map((f) => [f, m[f]] as [PersonalField, string]);
    return { id: p.id, plain, html: plain.map(([f, v]) => [f, escapeHtml(v)] as [PersonalField, string]) };
  });

  function fieldsIn(text: string, e: Entry, html: boolean): PersonalField[] {
    const out: PersonalField[] = [];
    for (const [f, v] of html ? e.html : e.plain) if (text.includes(v)) out.push(f);
    return out;
  }

  function identify(accountText: string, html: boolean): string | null {
    // The account block names the person by e-mail (personalized pages) or by name (greetings).
    for (const field of ['email', 'name'] as const) {
      for (const e of entries) {
        for (const [f, v] of html ? e.html : e.plain) {
          if (f === field && accountText.includes(v)) return e.id;
        }
      }
    }
    return null;
  }

  function scan(accountText: string, rest: string, html: boolean): Attribution {
    const owner = accountText === '' ? null : identify(accountText, html);
    const related: Record<string, PersonalField[]> = {};
    let ownerFields: PersonalField[] = [];
    const whole = `${accountText}\n${rest}`;
    for (const e of entries) {
      if (e.id === owner) {
        ownerFields = fieldsIn(whole, e, html);
        continue;
      }
      const f = fieldsIn(rest, e, html);
      if (f.length > 0) related[e.id] = f;
    }
    return { owner, ownerFields, related };
  }

  return (body, contentType) => {
    const ct = (contentType ?? '').toLowerCase();
    if (ct.includes('json') || (ct === '' && /^\s*[{[]/.test(body))) {
      try {
        const doc = JSON.parse(body) as unknown;
        if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
          const { account, ...rest } = doc as Record<string, unknown>;
          return scan(account === undefined ? '' : JSON.stringify(account), JSON.stringify(rest), false);
        }
        return scan('', JSON.stringify(doc), false);
      } catch {
        // fall through to text
      }
    }
    if (ct.includes('html') || body.includes('<html')) {
      const m = ACCOUNT_RE.exec(body);
      if (!m) return scan('', body, true);
      return scan(m[1] as string, body.slice(0, m.index) + body.slice(m.index + m[0].length), true);
    }
    return scan('', body, false);
  };
}
