/**
 * Catalogue CW-FY-07: on a personalized route looked up with the credential, vcl_fetch removes
 * `Vary` or rewrites it without Cookie/Authorization, so the variants the origin keeps apart per
 * user become one object. Asked with a synthetic `Vary: Accept-Encoding, Cookie` (or
 * `Authorization`) response; falco's set-statement/overwrite-vary sees plain overwrites only, this
 * follows what the VCL does to the value (regsub, subfields, conditions).
 */
import { defineVerifyRule } from '../define.ts';
import { reportHits } from '../varnish/lib/hits.ts';
import { VARY_MESSAGES, varyDropped, varyFinding } from '../varnish/lib/vary.ts';
import { asVcl } from '../varnish/lib/vcl.ts';

export default defineVerifyRule({
  id: 'verify/fastly/vary-overwritten',
  severity: 'high',
  kinds: ['fastly'],
  catalogue: 'CW-FY-07',
  docs: {
    title: 'vcl_fetch removes Cookie or Authorization from Vary on personalized routes',
    description:
      'An origin that lets a personalized page be cached says how it varies: `Vary: Cookie` or `Vary: Authorization` keeps one object per credential, and Fastly honours it. Overwriting the header in `vcl_fetch` (`set beresp.http.Vary = "Accept-Encoding";`, `unset beresp.http.Vary;`, a regsub that strips Cookie to raise the hit rate) makes the first user\'s variant the answer for everybody. verify requests each personalized path with the session cookie and with a bearer token, as a lookup, with a response that carries `Vary: Accept-Encoding, Cookie` (or `Authorization`), and reports the statement in `vcl_fetch` that leaves the credential out of Vary.',
    fix: 'Only ever add to Vary (`set beresp.http.Vary:Accept-Encoding = "";` adds one field and keeps the others); never remove Cookie, Authorization or another identity header the origin put there. If Vary on Cookie ruins the hit rate, pass requests that carry a session in `vcl_recv` and remove cookies from public, static requests instead.',
    references: [
      'Fastly Vary reference: https://www.fastly.com/documentation/reference/http/http-headers/Vary/',
      'falco rule set-statement/overwrite-vary',
      'research: config-semantics.md §1.1, CW-FY-07',
    ],
  },
  messages: {
    ...VARY_MESSAGES,
  },
  examples: {
    bad: [
      {
        name: 'Vary normalised to Accept-Encoding for the hit rate',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    # "Only compression matters for our variants."
    set beresp.http.Vary = "Accept-Encoding";
    return(deliver);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'varyOverwritten', line: 12 }],
      },
    ],
    good: [
      {
        name: 'Accept-Encoding added to Vary as a subfield',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    set beresp.http.Vary:Accept-Encoding = "";
    return(deliver);
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        const vcl = asVcl(model, 'fastly');
        const hits = vcl && varyDropped(ctx, vcl, route, ['response.vary']);
        if (vcl && hits) reportHits(ctx, hits, (h) => varyFinding(vcl, route, h));
      },
    };
  },
});
