import { describe, expect, it } from 'vitest';
import type { EngineCapabilities, EngineDescriptor } from '../../src/engines/engine.js';
import { createRoster } from '../../src/engines/roster.js';

/** A fake engine: only what the roster reads. */
function fake(name: string, over: Partial<EngineCapabilities>): EngineDescriptor {
  const capabilities: EngineCapabilities = {
    languages: ['en'],
    voices: [],
    defaults: { en: { female: `${name}-f`, male: `${name}-m` }, zh: { female: `${name}-f`, male: `${name}-m` } },
    sampleRate: 24_000,
    maxChunkChars: 300,
    speed: { min: 0.5, max: 2 },
    ...over,
  };
  return {
    name,
    capabilities,
    create: () => Promise.reject(new Error('not in a unit test')),
    installed: async () => ({ ok: true }),
  };
}

const smart = fake('smart', {
  voices: [
    { name: 'ava', language: 'en', gender: 'female', description: '' },
    { name: 'bob', language: 'en', gender: 'male', description: '' },
  ],
  sampleRate: 24_000,
  maxChunkChars: 300,
  speed: { min: 0.25, max: 2 },
});
const stable = fake('stable', {
  voices: [{ name: 'carl', language: 'en', gender: 'male', description: '' }],
  sampleRate: 22_050,
  maxChunkChars: 400,
  speed: { min: 0.5, max: 3 },
});
const known = new Map([
  ['smart', smart],
  ['stable', stable],
]);
/** Like the registry: a pool suffix names the same engine. */
const lookup = (name: string): EngineDescriptor => {
  const d = known.get(name.split('@')[0] ?? '');
  if (!d) throw new Error(`unknown engine "${name}"`);
  return d;
};

describe('engine roster', () => {
  const roster = createRoster({ primaryEngine: 'smart', backupEngine: 'stable' }, lookup);

  it('maps roles to engines and queues', () => {
    expect(roster.roles).toEqual({ primary: 'smart', backup: 'stable' });
    expect(roster.engineFor('backup')).toBe('stable');
    expect(roster.names).toEqual(['smart', 'stable']);
    expect(roster.distinct).toBe(true);
    expect(roster.queueName('stable')).toBe('tts-stable');
    expect(roster.roleOf('smart')).toBe('primary');
    expect(roster.roleOf('other')).toBeUndefined();
  });

  it('lists one engine once when it plays both roles', () => {
    const one = createRoster({ primaryEngine: 'stable', backupEngine: 'stable' }, lookup);
    expect(one.names).toEqual(['stable']);
    expect(one.distinct).toBe(false);
    expect(one.roleOf('stable')).toBe('primary');
  });

  it('treats a pool as an engine of its own with its base engine’s capabilities', () => {
    const pools = createRoster({ primaryEngine: 'stable@primary', backupEngine: 'stable' }, lookup);
    expect(pools.distinct).toBe(true);
    expect(pools.queueName('stable@primary')).toBe('tts-stable@primary');
    expect(pools.capabilities('stable@primary').sampleRate).toBe(22_050);
  });

  it('picks an engine by role or by name, and nothing for an unknown name', () => {
    expect(roster.pick('primary')).toBe('smart');
    expect(roster.pick('stable')).toBe('stable');
    // A pool of a known engine outside the roles may still run a worker.
    expect(roster.pick('smart@gpu')).toBe('smart@gpu');
    expect(roster.pick('robot')).toBeUndefined();
  });

  it('throws at once for an unknown engine in a role', () => {
    expect(() => createRoster({ primaryEngine: 'robot', backupEngine: 'stable' }, lookup)).toThrow(/unknown engine/);
  });

  it('allows each role its own voices and auto the voices of both', () => {
    expect(roster.voices.primary).toEqual(['female', 'male', 'ava', 'bob']);
    expect(roster.voices.backup).toEqual(['female', 'male', 'carl']);
    expect(roster.voices.auto).toEqual(['female', 'male', 'ava', 'bob', 'carl']);
  });

  it('allows only the speeds both engines support', () => {
    expect(roster.speed).toEqual({ min: 0.5, max: 2 });
  });

  it.each([
    ['female', 'stable', 'female'],
    ['male', 'smart', 'male'],
    ['carl', 'stable', 'carl'],
    // A named voice of the other engine: the same gender here.
    ['ava', 'stable', 'female'],
    ['bob', 'stable', 'male'],
    ['carl', 'smart', 'male'],
    // A voice neither engine has (possible only for a job made before a config change).
    ['nobody', 'smart', 'female'],
  ])('resolves voice %s on %s to %s', (requested, engine, voice) => {
    expect(roster.resolveVoice(requested, engine)).toBe(voice);
  });

  it('counts chunks with the pinned engine’s limit, or the primary’s for auto', () => {
    expect(roster.chunkPlan('backup').maxChunkChars).toBe(400);
    expect(roster.chunkPlan('primary').maxChunkChars).toBe(300);
    expect(roster.chunkPlan('auto').maxChunkChars).toBe(300);
  });

  it('gives Opus 48 kHz, else the requested rate, else the engine’s', () => {
    expect(roster.outputRate('opus', 'stable', 16_000)).toBe(48_000);
    expect(roster.outputRate('wav', 'stable', 16_000)).toBe(16_000);
    expect(roster.outputRate('wav', 'stable')).toBe(22_050);
    expect(roster.outputRate('mp3', 'smart')).toBe(24_000);
  });
});
