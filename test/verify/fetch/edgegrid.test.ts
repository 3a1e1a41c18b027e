import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { edgeGridAuthorization, edgeGridTimestamp, normalizeHost, parseEdgerc, signGet } from '../../../src/verify/fetch/edgegrid.ts';

// Known-answer vectors from Akamai's EdgeGrid client test data (testdata.json of the official
// client libraries): fixed credentials, nonce and timestamp, and the expected headers.
const VECTOR = {
  baseUrl: 'https://akaa-baseurl-xxxxxxxxxxx-xxxxxxxxxxxxx.luna.akamaiapis.net',
  clientToken: 'akab-client-token-xxx-xxxxxxxxxxxxxxxx',
  accessToken: 'akab-access-token-xxx-xxxxxxxxxxxxxxxx',
  clientSecret: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=',
  nonce: 'nonce-xx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
  timestamp: '20140321T19:34:21+0000',
  signingKey: 'znsRMDBRqTXGJ7Ojip3/h2FGPu3LuoMYWgv9PKEnE/o=',
};
const PREFIX = `EG1-HMAC-SHA256 client_token=${VECTOR.clientToken};access_token=${VECTOR.accessToken};timestamp=${VECTOR.timestamp};nonce=${VECTOR.nonce};`;

describe('EdgeGrid signing', () => {
  it('derives the documented signing key from the client secret and timestamp', () => {
    assert.equal(createHmac('sha256', VECTOR.clientSecret).update(VECTOR.timestamp).digest('base64'), VECTOR.signingKey);
  });

  it('matches the reference signature for a simple GET', () => {
    const h = edgeGridAuthorization('GET', new URL(`${VECTOR.baseUrl}/`), VECTOR, VECTOR.timestamp, VECTOR.nonce);
    assert.equal(h, `${PREFIX}signature=tL+y4hxyHxgWVD30X3pWnGKHcPzmrIF+LThiAOhMxYU=`);
  });

  it('matches the reference signature for a GET with a query string', () => {
    const h = edgeGridAuthorization('GET', new URL(`${VECTOR.baseUrl}/testapi/v1/t1?p1=1&p2=2`), VECTOR, VECTOR.timestamp, VECTOR.nonce);
    assert.equal(h, `${PREFIX}signature=hKDH1UlnQySSHjvIcZpDMbQHihTQ0XyVAKZaApabdeA=`);
  });

  it('formats the timestamp as yyyyMMddTHH:mm:ss+0000 in UTC', () => {
    assert.equal(edgeGridTimestamp(new Date('2014-03-21T19:34:21.999Z')), '20140321T19:34:21+0000');
    assert.equal(edgeGridTimestamp(new Date('2025-01-02T03:04:05Z')), '20250102T03:04:05+0000');
  });

  it('uses a fresh nonce for every signed request', () => {
    const url = new URL(`${VECTOR.baseUrl}/papi/v1/properties`);
    const creds = { host: 'x', ...VECTOR };
    const nonceOf = (h: string) => /;nonce=([^;]+);/.exec(h)![1];
    const a = signGet(url, creds, new Date('2025-01-02T03:04:05Z'));
    const b = signGet(url, creds, new Date('2025-01-02T03:04:05Z'));
    assert.match(nonceOf(a)!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(nonceOf(a), nonceOf(b));
  });
});

describe('.edgerc', () => {
  it('reads sections, keys, comments and quoted values', () => {
    const text = [
      '; Akamai API credentials',
      '[default]',
      'client_secret = abc+def/ghi=',
      'host = akab-h.luna.akamaiapis.net/',
      'access_token = akab-access',
      'client_token = akab-client',
      '',
      '# another client',
      '[papi]',
      'client_secret = "quoted=="',
      "host='akab-p.luna.akamaiapis.net'",
      'max_body = 131072',
    ].join('\r\n');
    const s = parseEdgerc(text);
    assert.deepEqual([...s.keys()], ['default', 'papi']);
    assert.deepEqual(s.get('default'), { client_secret: 'abc+def/ghi=', host: 'akab-h.luna.akamaiapis.net/', access_token: 'akab-access', client_token: 'akab-client' });
    assert.deepEqual(s.get('papi'), { client_secret: 'quoted==', host: 'akab-p.luna.akamaiapis.net', max_body: '131072' });
  });

  it('normalises a host given with a scheme or a trailing slash', () => {
    assert.equal(normalizeHost('https://akab-h.luna.akamaiapis.net/'), 'akab-h.luna.akamaiapis.net');
    assert.equal(normalizeHost(' akab-h.luna.akamaiapis.net '), 'akab-h.luna.akamaiapis.net');
  });
});
