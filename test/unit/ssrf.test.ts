import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isBlockedAddress, WebhookUrlError, type Lookup } from '../../src/webhooks/ssrf.js';

const fixed =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('isBlockedAddress', () => {
  const blocked = [
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    'not an ip',
  ];
  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'];
  for (const a of blocked) it(`blocks ${a}`, () => expect(isBlockedAddress(a)).toBe(true));
  for (const a of allowed) it(`allows ${a}`, () => expect(isBlockedAddress(a)).toBe(false));
});

describe('checkWebhookUrl', () => {
  const refused = async (url: string, lookup: Lookup = fixed('93.184.216.34'), allowHosts: string[] = []) => {
    const err = await checkWebhookUrl(url, { allowHosts, lookup }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookUrlError);
    return (err as WebhookUrlError).reason;
  };

  it('accepts a public https URL and pins the resolved address', async () => {
    const t = await checkWebhookUrl('https://hooks.example.com/tts?x=1', {
      allowHosts: [],
      lookup: fixed('93.184.216.34'),
    });
    expect(t).toMatchObject({ address: '93.184.216.34', family: 4 });
    expect(t.url.hostname).toBe('hooks.example.com');
  });

  it('refuses other schemes and garbage', async () => {
    expect(await refused('ftp://example.com/')).toMatch(/http and https/);
    expect(await refused('file:///etc/passwd')).toMatch(/http and https/);
    expect(await refused('not a url')).toMatch(/valid absolute URL/);
  });

  it('refuses private, loopback, link-local and metadata addresses, in every spelling', async () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://10.0.0.5/hook',
      'http://192.168.0.10/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00:ec2::254]/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://127.1/',
    ]) {
      expect(await refused(url), url).toMatch(/loopback, private|metadata/);
    }
    expect(await refused('http://metadata.google.internal/computeMetadata/v1/')).toMatch(/metadata/);
  });

  it('refuses a name that resolves to a private address, even if only one of its addresses is', async () => {
    expect(await refused('http://internal.example.com/', fixed('10.0.0.7'))).toMatch(/10\.0\.0\.7/);
    expect(await refused('http://mixed.example.com/', fixed('93.184.216.34', '127.0.0.1'))).toMatch(/127\.0\.0\.1/);
    expect(await refused('http://nowhere.invalid/', async () => Promise.reject(new Error('ENOTFOUND')))).toMatch(
      /does not resolve/,
    );
  });

  it('lets allow-listed hosts and addresses through', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:9999/hook', { allowHosts: ['127.0.0.1'] })).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(
      checkWebhookUrl('http://receiver.internal/', { allowHosts: ['receiver.internal'], lookup: fixed('10.0.0.9') }),
    ).resolves.toMatchObject({
      address: '10.0.0.9',
    });
    await expect(checkWebhookUrl('http://[::1]:80/', { allowHosts: ['::1'] })).resolves.toMatchObject({ family: 6 });
  });

  it('re-checking at delivery catches DNS that changed since submit (rebinding)', async () => {
    let calls = 0;
    const rebinding: Lookup = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '169.254.169.254', family: 4 }];
    await expect(
      checkWebhookUrl('http://rebind.example.com/', { allowHosts: [], lookup: rebinding }),
    ).resolves.toBeTruthy();
    expect(await refused('http://rebind.example.com/', rebinding)).toMatch(/169\.254\.169\.254/);
  });
});
