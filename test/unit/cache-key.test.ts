import { describe, expect, it } from 'vitest';
import { contentKey, modelVersion, requestKey, type ContentFields } from '../../src/cache/key.js';

const base: ContentFields = {
  engine: 'espeak',
  modelVersion: 'espeak',
  voice: 'female',
  speed: 1,
  format: 'wav',
  sampleRate: 22050,
  text: 'Hello there.',
};

describe('result cache content key', () => {
  it('is a sha256 hex digest, stable for equal fields', () => {
    expect(contentKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentKey({ ...base })).toBe(contentKey(base));
  });

  it('normalizes the text (whitespace and control characters do not make a new entry)', () => {
    expect(contentKey({ ...base, text: '  Hello   there.\u0007 ' })).toBe(contentKey(base));
  });

  it('changes with every field that changes the bytes', () => {
    const variants: Partial<ContentFields>[] = [
      { engine: 'kokoro' },
      { modelVersion: 'kokoro-v1.0-fp32' },
      { voice: 'male' },
      { speed: 1.25 },
      { format: 'mp3' },
      { sampleRate: 16000 },
      { text: 'Hello there!' },
      { encoding: '128k' },
    ];
    const keys = new Set([contentKey(base), ...variants.map((v) => contentKey({ ...base, ...v }))]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('model version follows the Kokoro weights variant', () => {
    expect(modelVersion('kokoro', { kokoroVariant: 'fp32' })).not.toBe(
      modelVersion('kokoro', { kokoroVariant: 'quantized' }),
    );
    expect(modelVersion('espeak@primary', { kokoroVariant: 'fp32' })).toBe('espeak');
  });

  it('a request on two pools of one engine shares the key; Opus is always keyed at 48 kHz', () => {
    const req = { text: 'Hi.', voice: 'female', speed: 1, format: 'wav' as const, engine: 'auto' as const };
    const cfg = { kokoroVariant: 'fp32' as const, mp3Bitrate: 64 as const };
    expect(requestKey(req, 'espeak@primary', 22_050, cfg)).toBe(requestKey(req, 'espeak', 22_050, cfg));
    expect(requestKey(req, 'espeak', 22_050, cfg)).not.toBe(
      requestKey({ ...req, sampleRate: 16000 }, 'espeak', 22_050, cfg),
    );
    expect(requestKey({ ...req, format: 'opus' }, 'espeak', 22_050, cfg)).toBe(
      requestKey({ ...req, format: 'opus', sampleRate: 16000 }, 'espeak', 22_050, cfg),
    );
    expect(requestKey({ ...req, format: 'mp3' }, 'espeak', 22_050, cfg)).not.toBe(
      requestKey({ ...req, format: 'mp3' }, 'espeak', 22_050, { ...cfg, mp3Bitrate: 128 }),
    );
  });
});

describe('result cache key of a request with lexicons', () => {
  const req = {
    text: 'Our brand is here.',
    voice: 'female',
    speed: 1,
    format: 'wav' as const,
    engine: 'auto' as const,
  };
  const cfg = { kokoroVariant: 'fp32' as const, mp3Bitrate: 64 as const };
  const withLexicon = (used: string[], ipa: string) => ({
    ...req,
    lexicon: { used, entries: [{ text: 'brand', lang: 'en' as const, ipa }] },
  });

  it("identifies the entries, not the name and version: two tenants' brand@1 never share a global key", () => {
    // CACHE_SCOPE=global: no scope in the key, so only the content can keep the tenants apart.
    const a = requestKey(withLexicon(['brand@1'], 'bɹænd'), 'espeak', 22_050, cfg);
    const b = requestKey(withLexicon(['brand@1'], 'bɹɑnt'), 'espeak', 22_050, cfg);
    expect(a).not.toBe(b);
    expect(a).not.toBe(requestKey(req, 'espeak', 22_050, cfg));
    // The same entries make the same audio, whatever the lexicon is called.
    expect(requestKey(withLexicon(['house@3'], 'bɹænd'), 'espeak', 22_050, cfg)).toBe(a);
  });
});

describe('sentence reuse inside a document', () => {
  it('synthesizes a repeated chunk once and forgets it after its last use', async () => {
    const { ChunkReuse } = await import('../../src/cache/chunk-reuse.js');
    const { prepareText } = await import('../../src/text/index.js');
    const chunks = prepareText('Again and again.\n\nSomething else.\n\nAgain and again.\n\nAgain and again.', {
      maxChunkChars: 400,
    });
    expect(chunks).toHaveLength(4);
    const reuse = new ChunkReuse(chunks);
    const calls: string[] = [];
    const out = [];
    for (const c of chunks) {
      out.push(
        await reuse.get(c, async () => {
          calls.push(c.runs[0]!.text);
          return new Int16Array([c.index + 1]);
        }),
      );
    }
    expect(calls).toEqual(['Again and again.', 'Something else.']);
    expect(reuse.synthesized).toBe(2);
    expect(out.map((p) => p[0])).toEqual([1, 2, 1, 1]);
    expect((reuse as unknown as { kept: Map<string, unknown> }).kept.size).toBe(0);
  });
});
