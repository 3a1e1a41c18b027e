/**
 * scrub/credential: bearer tokens and session cookies in `Authorization:`, `Cookie:` and
 * `Set-Cookie` headers, as text headers (`Authorization: Bearer …`), key=value (`cookie=sid=…`)
 * or JSON (`"authorization":"Bearer …"`, `"set-cookie":["sid=…; Path=/"]`), plus any
 * `Bearer <token>`. The token after the scheme and every cookie value are replaced; cookie names
 * and attributes stay, so the header keeps its shape.
 */
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/credential',
  type: 'credential',
  docs: {
    title: 'Bearer token or session cookie in a log',
    description:
      'The credential in an Authorization header (`Bearer`, `Basic`, any scheme), cookie values in Cookie and Set-Cookie headers (session-like names such as `sid`, `session`, `token` are high, others medium), and any `Bearer <token>`. Whoever reads the log can replay them.',
    fix: 'Drop Authorization and Cookie headers from request logging (pino `redact` paths, `cachewarden redact` in the pipeline) and rotate any token that was logged.',
    references: ['OWASP Logging Cheat Sheet', 'RFC 6750 §5.3'],
  },
  examples: {
    bad: [
      { text: 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', expect: [{ type: 'credential', confidence: 'high', masked: 'Bearer ***' }] },
      { text: '{"cookie":"sid=abc123; theme=dark"}', expect: [{ type: 'credential', confidence: 'high', masked: '***' }, { type: 'credential', confidence: 'medium', masked: '***' }] },
    ],
    good: [{ text: 'cookie consent accepted' }, { text: '{"authorization":""}' }],
  },
});

const SESSION = /sess|sid|token|auth|jwt|remember|login|csrf|xsrf|secret|key|user|id$/i;

function tokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126 || c === 43 || c === 47 || c === 61 || c === 58;
}

/** After a header name ending at `p`: skips `"`, `\"`, spaces, one `:`/`=`, spaces, an opening quote. -1 when no delimiter. */
function valueStart(text: string, p: number): number {
  let c = text.charCodeAt(p);
  if (c === 92) c = text.charCodeAt(++p);
  if (c === 34 || c === 39) c = text.charCodeAt(++p);
  while (c === 32) c = text.charCodeAt(++p);
  if (c !== 58 && c !== 61) return -1;
  c = text.charCodeAt(++p);
  while (c === 32) c = text.charCodeAt(++p);
  if (c === 91) c = text.charCodeAt(++p); // [ of a JSON array
  if (c === 92) c = text.charCodeAt(++p);
  if (c === 34 || c === 39) p++;
  return p;
}

function authorization(text: string, from: number): void {
  let i = text.indexOf('uthorization', from);
  while (i > 0) {
    const a = text.charCodeAt(i - 1) | 32;
    const v = a === 97 ? valueStart(text, i + 12) : -1;
    if (v >= 0) {
      let p = v;
      while (p < text.length && ((text.charCodeAt(p) | 32) >= 97 && (text.charCodeAt(p) | 32) <= 122)) p++;
      let scheme = '';
      let t = v;
      if (p > v && text.charCodeAt(p) === 32) {
        scheme = text.slice(v, p);
        t = p + 1;
      }
      let e = t;
      while (e < text.length && tokenChar(text.charCodeAt(e))) e++;
      if (e > t) {
        emit({ type: 'credential', confidence: 'high', start: v, end: e, value: text.slice(t, e), prefix: scheme ? `${scheme} ` : '', reason: `Authorization header${scheme ? ` (${scheme})` : ''}` });
      }
    }
    i = text.indexOf('uthorization', i + 12);
  }
}

function bearer(text: string): void {
  let i = text.indexOf('earer ');
  while (i > 0) {
    if ((text.charCodeAt(i - 1) | 32) === 98) {
      const t = i + 6;
      let e = t;
      while (e < text.length && tokenChar(text.charCodeAt(e))) e++;
      if (e - t >= 8) emit({ type: 'credential', confidence: 'high', start: i - 1, end: e, value: text.slice(t, e), prefix: `${text.slice(i - 1, i + 5)} `, reason: 'Bearer token' });
    }
    i = text.indexOf('earer ', i + 6);
  }
}

function cookieValueEnd(text: string, p: number): number {
  while (p < text.length) {
    const c = text.charCodeAt(p);
    if (c === 59 || c === 34 || c === 92 || c === 32 || c === 44 || c === 9 || c === 39 || c === 10 || c === 13) break;
    p++;
  }
  return p;
}

function cookies(text: string): void {
  let i = text.indexOf('ookie');
  while (i > 0) {
    const c0 = text.charCodeAt(i - 1) | 32;
    const v = c0 === 99 ? valueStart(text, i + 5) : -1;
    if (v >= 0) {
      const pre = text.slice(Math.max(0, i - 5), i - 1).toLowerCase();
      const setCookie = pre.endsWith('set-') || pre.endsWith('set_');
      let p = v;
      for (let pairs = 0; pairs < 64; pairs++) {
        // name
        const ns = p;
        while (p < text.length) {
          const c = text.charCodeAt(p);
          if (c === 61 || c === 59 || c === 34 || c === 92 || c === 32 || c === 44 || c === 10) break;
          p++;
        }
        if (p === ns || text.charCodeAt(p) !== 61) break;
        const name = text.slice(ns, p);
        const vs = p + 1;
        const ve = cookieValueEnd(text, vs);
        if (ve > vs) {
          emit({ type: 'credential', confidence: SESSION.test(name) ? 'high' : 'medium', start: vs, end: ve, value: text.slice(vs, ve), reason: `${setCookie ? 'Set-Cookie' : 'Cookie'} value of "${name}"` });
        }
        p = ve;
        if (setCookie) {
          // Attributes follow; a JSON array may hold more Set-Cookie strings: `","next=…`.
          const close = text.indexOf('"', p);
          if (close < 0 || text.charCodeAt(close + 1) !== 44 || text.charCodeAt(close + 2) !== 34) break;
          p = close + 3;
          continue;
        }
        if (text.charCodeAt(p) !== 59) break;
        p++;
        while (text.charCodeAt(p) === 32) p++;
      }
    }
    i = text.indexOf('ookie', i + 5);
  }
}

/** Reports credentials in Authorization, Cookie and Set-Cookie headers anywhere in `text`. */
export function detectCredentials(text: string): void {
  authorization(text, 0);
  bearer(text);
  cookies(text);
}
