import { describe, expect, it } from 'vitest';
import { bindPolicy, hashKey, isLoopback, KeyTable, matchKey, presentedKey } from '../../src/api/auth.js';
import { loadConfig } from '../../src/config/load.js';

const h = hashKey;

describe('key settings', () => {
  it('read bare hashes and name:hash pairs', () => {
    const c = loadConfig({ API_KEYS: ` ${h('a')}, alice:${h('b').toUpperCase()} ,`, ADMIN_KEYS: `ops:${h('c')}` });
    expect(c.apiKeys).toEqual([
      { name: `key-${h('a').slice(0, 8)}`, sha256: h('a') },
      { name: 'alice', sha256: h('b') },
    ]);
    expect(c.adminKeys).toEqual([{ name: 'ops', sha256: h('c') }]);
    expect(loadConfig({}).apiKeys).toEqual([]);
    expect(loadConfig({}).rateLimitPerMinute).toBe(0);
    expect(loadConfig({}).allowOpenBind).toBe(false);
    expect(loadConfig({ ALLOW_OPEN_BIND: 'true' }).allowOpenBind).toBe(true);
  });

  it('reject keys that are not hashes and duplicate names', () => {
    expect(() => loadConfig({ API_KEYS: 'my-secret' })).toThrow(/entry 1 is not sha256hex/);
    expect(() => loadConfig({ API_KEYS: `x:${h('a')},x:${h('b')}` })).toThrow(/key name x is used twice/);
    expect(() => loadConfig({ ALLOW_OPEN_BIND: 'maybe' })).toThrow(/ALLOW_OPEN_BIND/);
  });
});

describe('matching keys', () => {
  const entries = [
    { name: 'alice', sha256: h('alice-key') },
    { name: 'bob', sha256: h('bob-key') },
  ];
  it('finds the entry whose hash matches', () => {
    expect(matchKey('alice-key', entries)).toBe('alice');
    expect(matchKey('bob-key', entries)).toBe('bob');
    expect(matchKey('carol-key', entries)).toBeUndefined();
    expect(matchKey('', entries)).toBeUndefined();
    expect(matchKey('alice-key', [])).toBeUndefined();
  });

  it('a key table names the first matching entry and says whether any privileged entry matches', () => {
    const root = { name: 'root', sha256: h('root-key') };
    const both = { name: 'alice-admin', sha256: h('alice-key') };
    const table = new KeyTable([
      ...entries.map((entry) => ({ entry, privileged: false })),
      { entry: root, privileged: true },
      { entry: both, privileged: true },
    ]);
    expect(table.lookup('bob-key')).toEqual({ entry: entries[1], privileged: false });
    expect(table.lookup('root-key')).toEqual({ entry: root, privileged: true });
    // Listed as a client key and as an admin key: named by the first entry, privileged by the second.
    expect(table.lookup('alice-key')).toEqual({ entry: entries[0], privileged: true });
    expect(table.lookup('carol-key')).toEqual({ entry: undefined, privileged: false });
  });

  it('takes the key from Bearer or from the password of Basic', () => {
    expect(presentedKey('Bearer abc')).toBe('abc');
    expect(presentedKey('bearer abc ')).toBe('abc');
    expect(presentedKey(`Basic ${Buffer.from('user:s3:cret').toString('base64')}`)).toBe('s3:cret');
    expect(presentedKey(`Basic ${Buffer.from('user:').toString('base64')}`)).toBeUndefined();
    expect(presentedKey('Token abc')).toBeUndefined();
    expect(presentedKey('Bearer a b')).toBeUndefined();
    expect(presentedKey(undefined)).toBeUndefined();
  });
});

describe('bind policy', () => {
  const base = { apiKeys: [], adminKeys: [], allowOpenBind: false };
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.org', '128.0.0.1'])
      expect(isLoopback(host)).toBe(false);
  });

  it('refuses an open service on other interfaces unless allowed', () => {
    expect(bindPolicy({ ...base, host: '127.0.0.1' })).toMatchObject({
      ok: true,
      level: 'info',
      message: expect.stringMatching(/open.*127\.0\.0\.1/),
    });
    expect(bindPolicy({ ...base, host: '0.0.0.0' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/ALLOW_OPEN_BIND=true/),
    });
    expect(bindPolicy({ ...base, host: '0.0.0.0', allowOpenBind: true })).toMatchObject({ ok: true, level: 'warn' });
    expect(bindPolicy({ ...base, host: '0.0.0.0', adminKeys: [{ name: 'ops', sha256: h('x') }] })).toMatchObject({
      ok: true,
      level: 'info',
    });
  });
});
