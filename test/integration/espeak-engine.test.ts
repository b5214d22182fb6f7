import { describe, expect, it } from 'vitest';
import { prepareText } from '../../src/text/index.js';
import { EspeakEngine } from '../../src/engines/espeak/engine.js';
import { espeakDescriptor } from '../../src/engines/espeak/index.js';
import { loadEspeakCore } from '../../src/engines/espeak/wasm.js';
import { engineContract } from '../contract/engine-contract.js';

engineContract(espeakDescriptor);

describe('espeak reads Mandarin with tones, not tone digits', () => {
  it('phonemizes 你好 as tonal Mandarin syllables', async () => {
    const e = new EspeakEngine();
    await e.load();
    const ipa = e.phonemes('你好', 'cmn');
    // Debian's espeak-ng 1.51 says "ni three hao three" here: the English word "three" is θɹiː.
    expect(ipa).not.toMatch(/θ|ɹ/);
    expect(ipa.replace(/[_ˈ]/g, '')).toMatch(/^ni.*[xχh][aɑ]u/);
    // Tone marks, not English words, follow the syllables.
    expect(ipa).toMatch(/[1-5ɜ]/);
    const en = e.phonemes('three', 'en-us');
    expect(en).toMatch(/θ/);
  });
});

describe('espeak word timings', () => {
  it('spans multi-character Mandarin words (espeak reports each with length 1) and keeps English lengths', async () => {
    const e = new EspeakEngine();
    await e.load();
    const [zh] = prepareText('你好吗？我很好。', { maxChunkChars: 300 });
    const [en] = prepareText('Hello there. It works.', { maxChunkChars: 300 });
    if (!zh || !en) throw new Error('no chunk');
    const zhOut = await e.synthesizeTimed({ chunk: zh, voice: 'female', speed: 1 });
    const zhText = zh.runs.map((r) => r.text).join(' ');
    const zhWords = (zhOut.words ?? []).map((w) => zhText.slice(w.offset, w.offset + w.length));
    // Every character is in exactly one word, in order, and no word carries the punctuation after it.
    expect(zhWords.join('')).toBe('你好吗我很好');
    expect(zhWords.every((w) => !/[？。]/.test(w))).toBe(true);
    const starts = (zhOut.words ?? []).map((w) => w.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const enOut = await e.synthesizeTimed({ chunk: en, voice: 'female', speed: 1 });
    const enText = en.runs.map((r) => r.text).join(' ');
    expect((enOut.words ?? []).map((w) => enText.slice(w.offset, w.offset + w.length))).toEqual([
      'Hello',
      'there',
      'It',
      'works',
    ]);
  });
});

/** The parts of Echogarden's JavaScript build (the engine's build before the WebAssembly one) this test drives. */
interface JsWorker {
  set_voice(name: string): number;
  set_rate(wpm: number): number;
  synthesize(
    text: string,
    cb: (
      samples: Int16Array | null,
      events: { type: string; text_position: number; word_length: number; audio_position: number }[],
    ) => number,
  ): void;
}

describe('espeak WebAssembly build', () => {
  it('speaks as the JavaScript build of the same espeak-ng and data: same words and timings, same samples', async () => {
    const { default: factory } = (await import('@echogarden/espeak-ng-emscripten')) as unknown as {
      default: () => Promise<{ eSpeakNGWorker: new () => JsWorker }>;
    };
    const js = new (await factory()).eSpeakNGWorker();
    const core = await loadEspeakCore();
    // The female variants (f2, f3) mix in breath noise from a generator espeak-ng seeds with the clock
    // at start-up, so two instances agree on them only up to that noise; the male variants have none.
    const cases: [string, number, string][] = [
      ['en-us+m3', 175, 'Hello there. It works, 3.14 and $5.'],
      ['en+m1', 300, 'Dr. Smith lives at 221B Baker St.'],
      ['cmn+m3', 175, '你好吗？我很好。'],
      ['cmn+m3', 175, 'ni3 hao3 ma5'],
      ['cmn+m3', 220, '我用iPhone打电话，价格是3.5元。'],
      ['en-us+f3', 175, 'Hello there. It works.'],
      ['cmn+f3', 175, '你好吗？我很好。'],
    ];
    for (const [voice, wpm, text] of cases) {
      const label = `${voice}: ${text}`;
      js.set_voice(voice);
      js.set_rate(wpm);
      const parts: number[] = [];
      const jsWords: string[] = [];
      js.synthesize(text, (samples, events) => {
        if (samples) parts.push(...samples);
        for (const e of events) {
          if (e.type === 'word') jsWords.push(`${e.text_position}:${e.word_length}@${e.audio_position}`);
        }
        return 0;
      });
      expect(core.setVoice(voice)).toBe(true);
      core.setRate(wpm);
      const { pcm, events } = core.synthesize(text);
      const words = events.filter((e) => e.type === 'word');
      expect(
        words.map((e) => `${e.text_position}:${e.word_length}@${e.audio_position}`),
        label,
      ).toEqual(jsWords);
      expect(pcm.length, label).toBe(parts.length);
      if (voice.includes('+m')) {
        expect(
          Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).equals(Buffer.from(Int16Array.from(parts).buffer)),
          label,
        ).toBe(true);
      } else {
        // Breath noise is 5–8 % of the signal (RMS); another variant differs by 150 % (f3 against f2 or f4).
        let diff = 0;
        let signal = 0;
        parts.forEach((x, i) => {
          diff += (x - (pcm[i] ?? 0)) ** 2;
          signal += x ** 2;
        });
        expect(Math.sqrt(diff / signal), label).toBeLessThan(0.15);
      }
    }
    expect(core.setVoice('no-such-voice')).toBe(false);
  });
});
