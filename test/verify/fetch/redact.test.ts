import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CREDENTIAL_FIELDS, redactCredentials, redactFiles, redactPrivateKeys } from '../../../src/verify/fetch/redact.ts';

describe('redactCredentials', () => {
  it('replaces the provider\'s credential fields at any depth and keeps everything else', () => {
    const backends = { backends: [{ name: 'o', ssl_client_key: 'PEM', ssl_client_cert: 'CERT', port: 443 }], nested: { deeper: [{ token: 't0k3n' }] } };
    assert.deepEqual(redactCredentials('fastly', backends), { backends: [{ name: 'o', ssl_client_key: '[redacted]', ssl_client_cert: 'CERT', port: 443 }], nested: { deeper: [{ token: '[redacted]' }] } });
  });

  it('leaves empty and null credential fields as they are, so "none configured" stays visible', () => {
    assert.deepEqual(redactCredentials('fastly', { ssl_client_key: null, password: '' }), { ssl_client_key: null, password: '' });
  });

  it('redacts CloudFront origin custom header values but not their names', () => {
    const cfg = { Origins: { Items: [{ CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'X-Origin-Verify', HeaderValue: 's3cr3t' }] } }] } };
    assert.deepEqual(redactCredentials('cloudfront', cfg), { Origins: { Items: [{ CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'X-Origin-Verify', HeaderValue: '[redacted]' }] } }] } });
  });

  it('redacts Akamai token-authorization keys and origin cloud credentials', () => {
    const behaviors = [
      { name: 'verifyTokenAuthorization', options: { key: 'abc123', transitionKey: 'def456', algorithm: 'SHA256' } },
      { name: 'originCharacteristics', options: { authenticationMethod: 'AWS', awsAccessKeyId: 'AKIA', awsSecretAccessKey: 'sekret', awsRegion: 'us-east-1' } },
    ];
    assert.deepEqual(redactCredentials('akamai', behaviors), [
      { name: 'verifyTokenAuthorization', options: { key: '[redacted]', transitionKey: '[redacted]', algorithm: 'SHA256' } },
      { name: 'originCharacteristics', options: { authenticationMethod: 'AWS', awsAccessKeyId: '[redacted]', awsSecretAccessKey: '[redacted]', awsRegion: 'us-east-1' } },
    ]);
  });

  it('changes nothing for Cloudflare, whose cache configuration holds no credentials', () => {
    const rules = { rules: [{ action_parameters: { cache_key: { custom_key: { cookie: { include: ['session'] } } } } }] };
    assert.equal(redactCredentials('cloudflare', rules), rules);
    assert.deepEqual(CREDENTIAL_FIELDS.cloudflare, []);
  });
});

describe('redactPrivateKeys', () => {
  it('cuts out PEM private keys of any kind and keeps certificates', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const text = `a = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";\nb = "${cert}";\nc = "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"`;
    assert.equal(redactPrivateKeys(text), `a = "[redacted]";\nb = "${cert}";\nc = "[redacted]"`);
  });

  it('applies to every file of a snapshot', () => {
    assert.deepEqual(redactFiles({ 'x.vcl': '-----BEGIN EC PRIVATE KEY-----\nk\n-----END EC PRIVATE KEY-----\n', 'y.json': '{}\n' }), { 'x.vcl': '[redacted]\n', 'y.json': '{}\n' });
  });
});
