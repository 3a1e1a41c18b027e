/**
 * docs/log-recipes.md stays true to the code: every parsed-event example is the adapters' real
 * output for the line above it, every format has its section and example, and the default field
 * maps table is the registry's. After changing an adapter: `npx node test/watch/adapters/refresh-docs.ts`.
 */
import assert from 'node:assert/strict';
import { createHmac, createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { IdentityHasher } from '../../../src/core/identity.ts';
import { FORMAT_IDS } from '../../../src/watch/adapters/types.ts';
import { DOCS_KEY, documentedDefaults, extractExamples, renderDefaults, renderExample } from './doc-examples.ts';

const md = readFileSync(new URL('../../../docs/log-recipes.md', import.meta.url), 'utf8');
const examples = extractExamples(md);

describe('docs/log-recipes.md', () => {
  it('has a section and a parsed example for every format', () => {
    for (const id of FORMAT_IDS) {
      assert.match(md, new RegExp(`^## \\d+\\. .* — \`--format ${id}\`$`, 'm'), `section for ${id}`);
      assert.ok(examples.some((e) => e.format === id), `example for ${id}`);
    }
  });

  for (const ex of examples) {
    it(`the ${ex.format} example shows the adapter's real output`, () => {
      const actual = renderExample(ex);
      assert.deepEqual(JSON.parse(ex.parsed), JSON.parse(actual));
      assert.equal(ex.parsed, actual, 'formatting (run test/watch/adapters/refresh-docs.ts)');
    });
  }

  it('states the identity key its hashes are made with', () => {
    assert.ok(md.includes(`\`${DOCS_KEY}\``));
  });

  it('lists the default field maps of the registry', () => {
    assert.equal(documentedDefaults(md), renderDefaults());
  });

  it('names the owner header and shows the same hash as IdentityHasher', () => {
    assert.ok(md.includes('X-Cachewarden-Owner'));
    // The origin snippet's ownerTag, run against the hasher the adapters use.
    const line = /return `h:\$\{createHmac\('sha256', KEY\)\.update\(credential, 'utf8'\)\.digest\(\)\.subarray\(0, 16\)\.toString\('base64url'\)\}`;/;
    assert.match(md, line, 'the ownerTag body in §1 is the one checked here');
    const KEY = createSecretKey(Buffer.from(DOCS_KEY, 'utf8'));
    const ownerTag = (credential: string) => `h:${createHmac('sha256', KEY).update(credential, 'utf8').digest().subarray(0, 16).toString('base64url')}`;
    assert.equal(ownerTag('0123456789abcdef'), new IdentityHasher(DOCS_KEY).hash('0123456789abcdef'));
  });
});
