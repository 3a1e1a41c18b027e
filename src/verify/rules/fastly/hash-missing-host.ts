/**
 * Catalogue CW-FY-09: a custom vcl_hash that never adds `req.http.host` to the key. Fastly keys on
 * whatever vcl_hash adds (the boilerplate adds URL and Host, then `#FASTLY hash` adds the
 * generation), so without Host the same path on every domain of the service shares one object.
 * Structural: the hash inputs of the user's vcl_hash and the subs it calls.
 */
import { defineVerifyRule } from '../define.ts';
import { asVcl, entry, place, quote, reachable, returnAction, sets } from '../varnish/lib/vcl.ts';

const HOST = /\breq\.http\.host\b/i;

export default defineVerifyRule({
  id: 'verify/fastly/hash-missing-host',
  severity: 'high',
  kinds: ['fastly'],
  catalogue: 'CW-FY-09',
  docs: {
    title: 'vcl_hash builds the key without the Host',
    description:
      'In Fastly VCL the cache key is what `vcl_hash` adds to `req.hash`: the boilerplate adds `req.url` and `req.http.host`, and `#FASTLY hash` adds the service generation (for purge-all). A custom `vcl_hash` that drops the Host line — to share objects between `www` and the apex, or by copying a snippet — makes every domain of the service share one object per path: `account.example.com/` and `shop.example.com/` answer each other, and a page for one tenant or brand reaches another\'s visitors. verify reports a user `vcl_hash` whose statements (and the subs it calls) never add `req.http.host`.',
    fix: 'Keep `set req.hash += req.http.host;` in `vcl_hash` (normalise the Host in `vcl_recv` first if several names serve the same content).',
    references: [
      'Fastly custom VCL boilerplate (vcl_hash): https://www.fastly.com/documentation/guides/full-site-delivery/fastly-vcl/about-fastly-vcl/#custom-vcl',
      'Fastly: req.hash: https://www.fastly.com/documentation/reference/vcl/variables/miscellaneous/req-hash/',
      'research: config-semantics.md §1.1, CW-FY-09',
    ],
  },
  messages: {
    noHost: '{statement} ends vcl_hash without adding req.http.host to the key: the same path on every domain of this service shares one object',
  },
  examples: {
    bad: [
      {
        name: 'a key of the URL alone',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_hash {
    set req.hash += req.url;
#FASTLY hash
    return(hash);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'noHost', line: 9 }],
      },
    ],
    good: [
      {
        name: 'the boilerplate key',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_hash {
    set req.hash += req.url;
    set req.hash += req.http.host;
#FASTLY hash
    return(hash);
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    return {
      config(model) {
        const vcl = asVcl(model, 'fastly');
        if (!vcl) return;
        const defs = vcl.subs('vcl_hash');
        if (defs.length === 0) return;
        const reached = reachable(vcl, 'vcl_hash');
        const hashesHost = reached.some((r) => (sets(r.stmt, 'req.hash') || r.stmt.type === 'hash_data') && HOST.test(vcl.text(r.stmt.type === 'set' || r.stmt.type === 'hash_data' ? r.stmt.value : r.stmt)));
        if (hashesHost) return;
        const end = reached.find((r) => returnAction(r.stmt) === 'hash');
        const sub = defs.at(-1)!;
        const statement = end ? entry(vcl, end.stmt, 'hashExtra') : { option: 'hashExtra', at: sub.at, text: 'sub vcl_hash' };
        ctx.report({
          messageId: 'noHost',
          data: { statement: end ? quote(statement) : `the end of \`sub vcl_hash\` (${place(sub.at)})` },
          at: statement.at,
          related: reached.filter((r) => sets(r.stmt, 'req.hash')).map((r) => entry(vcl, r.stmt, 'hashExtra')),
        });
      },
    };
  },
});
