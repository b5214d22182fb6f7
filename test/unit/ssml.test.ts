import { describe, expect, it } from 'vitest';
import { isSsml, parseSsml } from '../../src/ssml/parse.js';
import { chunkSsml } from '../../src/ssml/prepare.js';

const spoken = (markup: string) =>
  parseSsml(markup)
    .pieces.map((p) => (p.kind === 'text' ? p.text : p.kind === 'break' ? `[${p.ms}]` : '¶'))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();

describe('SSML parsing', () => {
  it.each([
    ['<speak>Hello <break time="700ms"/> world</speak>', 'Hello [700] world'],
    ['<speak>a<break time="1.5s"/>b<break strength="weak"/>c<break/>d</speak>', 'a[1500]b[200]c[400]d'],
    ['<speak><sub alias="World Wide Web">WWW</sub></speak>', 'World Wide Web'],
    ['<speak><say-as interpret-as="characters">IBM</say-as></speak>', 'I B M'],
    ['<speak><say-as interpret-as="digits">2024</say-as></speak>', '2 0 2 4'],
    ['<speak><say-as interpret-as="telephone">+1 (555) 010-9999</say-as></speak>', '1 5 5 5 0 1 0 9 9 9 9'],
    ['<speak><say-as interpret-as="ordinal">3</say-as></speak>', '3rd'],
    ['<speak><say-as interpret-as="ordinal">第3</say-as></speak>', '第3'],
    ['<speak><say-as interpret-as="cardinal">1,234,567</say-as></speak>', '1234567'],
    // Set apart from words, not from punctuation after it or a bracket before it.
    ['<speak>Count <say-as interpret-as="cardinal">0</say-as>.</speak>', 'Count 0.'],
    ['<speak>Room<say-as interpret-as="digits">12</say-as>B</speak>', 'Room 1 2 B'],
    ['<speak>(<say-as interpret-as="characters">NVIDIA</say-as>), yes</speak>', '(N V I D I A), yes'],
    ['<speak><p>One.</p><p>Two.</p></speak>', '¶One.¶¶Two.¶'],
    ['<speak><lang xml:lang="zh-CN">你好</lang> &amp; bye</speak>', '你好 & bye'],
  ])('%s → %s', (markup, expected) => {
    expect(spoken(markup)).toBe(expected);
  });

  it('<phoneme> becomes an inline annotation; an unusable one is read as text with a warning', () => {
    const doc = parseSsml(
      '<speak>银<phoneme alphabet="x-pinyin" ph="xing2">行</phoneme> <phoneme alphabet="ipa" ph="ɛnˈvɪdiə">Nvidia</phoneme> <phoneme ph="x">行</phoneme></speak>',
    );
    expect(spoken('<speak>银<phoneme alphabet="x-pinyin" ph="xing2">行</phoneme></speak>')).toBe('银[行](/xing2/)');
    expect(doc.warnings).toEqual(['<phoneme ph="x"> is not a pronunciation of "行" this service reads: read as text']);
    expect(doc.chars).toBe('银行 Nvidia 行'.length);
    const runs = chunkSsml(doc, { maxChunkChars: 200 }).flatMap((c) => c.runs);
    expect(runs.filter((r) => r.ph).map((r) => r.ph)).toEqual([{ pinyin: 'xing2' }, { ipa: 'ɛnˈvɪdiə' }]);
  });

  it('prosody rates multiply and end with their element', () => {
    const doc = parseSsml('<speak>a<prosody rate="50%">b<prosody rate="x-fast">c</prosody>d</prosody>e</speak>');
    expect(doc.pieces).toEqual([
      { kind: 'text', text: 'a', rate: 1 },
      { kind: 'text', text: 'b', rate: 0.5 },
      { kind: 'text', text: 'c', rate: 0.8 },
      { kind: 'text', text: 'd', rate: 0.5 },
      { kind: 'text', text: 'e', rate: 1 },
    ]);
  });

  it('reports line, column and reason', () => {
    expect(() => parseSsml('<speak>\n<p>x</s></speak>')).toThrow(/line 2, column \d+: unexpected close tag/);
    expect(() => parseSsml('<p>x</p>')).toThrow(/root element must be <speak>/);
    expect(() => parseSsml('<speak>x</speak> tail')).toThrow(/outside/);
    expect(() => parseSsml('<speak><break time="9999s"/></speak>')).toThrow(/at most 10000 ms/);
    expect(() => parseSsml('<speak><prosody rate="fastest">x</prosody></speak>')).toThrow(/prosody rate/);
  });

  it('refuses DTDs, deep nesting and oversize markup', () => {
    expect(() => parseSsml('<!DOCTYPE speak [<!ENTITY a "b">]><speak>&a;</speak>')).toThrow(/DOCTYPE is not allowed/);
    expect(() => parseSsml(`<speak>${'<s>'.repeat(100)}x${'</s>'.repeat(100)}</speak>`)).toThrow(/nested deeper/);
    expect(() => parseSsml('<speak>x</speak>', { maxMarkupChars: 5, maxDepth: 64 })).toThrow(/longer than 5/);
  });

  it('warns once per unsupported element and reads its text', () => {
    const doc = parseSsml('<speak><emphasis>a</emphasis><emphasis>b</emphasis><voice name="x">c</voice></speak>');
    expect(doc.warnings).toEqual([
      '<emphasis> is not supported: its text is read as it is',
      '<voice> is not supported: its text is read as it is',
    ]);
    expect(spoken('<speak><emphasis>a</emphasis>b</speak>')).toBe('ab');
  });

  it('detects SSML', () => {
    expect(isSsml('<speak>x</speak>', undefined)).toBe(true);
    expect(isSsml('  <?xml version="1.0"?>\n<speak version="1.1">x</speak>', undefined)).toBe(true);
    expect(isSsml('<speaker>x', undefined)).toBe(false);
    // Markup that opens with a DOCTYPE or an XML declaration is parsed (and refused), never read aloud.
    expect(isSsml('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><speak>&a;</speak>', undefined)).toBe(true);
    expect(isSsml(' <!DOCTYPE speak><speak>hi</speak>', undefined)).toBe(true);
    expect(isSsml('<?xml version="1.0"?><note>x</note>', undefined)).toBe(true);
    expect(isSsml('<3 you', undefined)).toBe(false);
    expect(isSsml('<speak>x</speak>', 'text')).toBe(false);
    expect(isSsml('plain', 'ssml')).toBe(true);
  });
});

describe('SSML chunks', () => {
  it('carry rates, breaks and paragraph ends', () => {
    const chunks = chunkSsml(
      parseSsml('<speak><p>One.<break time="700ms"/>Two.</p><prosody rate="slow"><p>Three.</p></prosody></speak>'),
      { maxChunkChars: 200 },
    );
    expect(
      chunks.map((c) => [c.runs.map((r) => r.text).join(' '), c.rate ?? 1, c.pauseAfterMs ?? 0, c.paragraphEnd]),
    ).toEqual([
      ['One.', 1, 700, false],
      ['Two.', 1, 0, true],
      ['Three.', 0.75, 0, true],
    ]);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
  });
});
