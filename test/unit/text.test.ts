import { describe, it, expect } from 'vitest';
import {
  normalizeText,
  prepareText,
  splitLanguageRuns,
  splitParagraphs,
  splitSentences,
  type Run,
} from '../../src/text/index.js';

describe('normalizeText', () => {
  const cases: { name: string; input: string; expected: string }[] = [
    { name: 'empty', input: '', expected: '' },
    { name: 'full-width ASCII and digits', input: 'ＡＢＣ　ｘｙｚ１２３', expected: 'ABC xyz123' },
    { name: 'full-width punctuation NFKC folds', input: '你好，世界：对！吗？是；', expected: '你好,世界:对!吗?是;' },
    { name: 'ideographic full stop and comma stay', input: '你好。我、他', expected: '你好。我、他' },
    { name: 'composes e + combining acute', input: 'cafe\u0301', expected: 'café' },
    { name: 'ligature', input: 'ﬁne', expected: 'fine' },
    {
      name: 'zero-width chars vanish inside words',
      input: 'Zero\u200bwidth\u200c\u200djoin\u2060ed\ufeff',
      expected: 'Zerowidthjoined',
    },
    { name: 'leading BOM', input: '\ufeffHello', expected: 'Hello' },
    { name: 'soft hyphen vanishes', input: 'co\u00adoperate', expected: 'cooperate' },
    {
      name: 'bidi controls vanish',
      input: 'a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j',
      expected: 'abcdefghij',
    },
    { name: 'C0 control separates words', input: 'foo\x00bar\x07baz\x1bqux', expected: 'foo bar baz qux' },
    {
      name: 'C1 control and DEL separate words',
      input: 'one\x85two\x7fthree\x9fFour',
      expected: 'one\ntwo three Four',
    },
    { name: 'control next to space collapses', input: 'a \x00 b', expected: 'a b' },
    { name: 'lone surrogates vanish', input: 'a\ud800b\udc00c', expected: 'abc' },
    { name: 'surrogate pair kept', input: 'a😀b𠀀', expected: 'a😀b𠀀' },
    { name: 'private use vanishes', input: '\ue000Call\uf8ff us\udb80\udc00', expected: 'Call us' },
    { name: 'unassigned and noncharacters vanish', input: 'x\u0378y\ufffez\uffff', expected: 'xyz' },
    { name: 'CRLF and CR', input: 'a\r\nb\rc', expected: 'a\nb\nc' },
    { name: 'unicode line/paragraph separators', input: 'a\u2028b\u2029c', expected: 'a\nb\nc' },
    { name: 'vertical tab and form feed', input: 'a\vb\fc', expected: 'a\nb\nc' },
    { name: 'tabs and space runs', input: 'a\t\tb   c \u00a0\u2003 d', expected: 'a b c d' },
    { name: 'spaces at line ends', input: 'a   \n   b', expected: 'a\nb' },
    { name: 'blank line of spaces is a paragraph break', input: 'a\n \t \nb', expected: 'a\n\nb' },
    { name: 'many newlines become one paragraph break', input: 'a\n\n\n\n\n\nb', expected: 'a\n\nb' },
    { name: 'many CRLF newlines', input: 'a\r\n\r\n\r\n\r\nb', expected: 'a\n\nb' },
    { name: 'single newline kept', input: 'a\nb', expected: 'a\nb' },
    { name: 'trim', input: '  \n\n hello \n\n ', expected: 'hello' },
    { name: 'only whitespace', input: ' \t\n\r\n\u3000\u2028 ', expected: '' },
    { name: 'only invisible', input: '\u200b\u200b\ufeff', expected: '' },
    {
      name: 'zalgo capped at 30 marks',
      input: `a${'\u0316'.repeat(50)}b`,
      expected: `a${'\u0316'.repeat(30)}b`,
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const { input } of cases) {
      const once = normalizeText(input);
      expect(normalizeText(once)).toBe(once);
    }
  });
});

describe('splitParagraphs', () => {
  const cases: { input: string; expected: string[] }[] = [
    { input: '', expected: [] },
    { input: 'one', expected: ['one'] },
    { input: 'one\ntwo', expected: ['one\ntwo'] },
    { input: 'one\n\ntwo', expected: ['one', 'two'] },
    { input: 'one\n \n\n\ntwo\n\n', expected: ['one', 'two'] },
    { input: '\n\n\n', expected: [] },
  ];
  it.each(cases)('$input', ({ input, expected }) => {
    expect(splitParagraphs(input)).toEqual(expected);
  });
});

describe('splitSentences', () => {
  const cases: { name: string; input: string; expected: string[] }[] = [
    { name: 'empty', input: '', expected: [] },
    { name: 'no terminator', input: 'no terminator here', expected: ['no terminator here'] },
    { name: 'basic', input: 'One. Two! Three? Four; five', expected: ['One.', 'Two!', 'Three?', 'Four;', 'five'] },
    { name: 'terminator runs', input: 'Really?! Yes!!! Ok…', expected: ['Really?!', 'Yes!!!', 'Ok…'] },
    {
      name: 'closing quote after terminator',
      input: '"Hello." She left. (Really.) Yes',
      expected: ['"Hello."', 'She left.', '(Really.)', 'Yes'],
    },
    { name: 'curly quotes', input: '“Go!” he said. ‘Now.’ Fine', expected: ['“Go!”', 'he said.', '‘Now.’', 'Fine'] },
    { name: 'decimals', input: 'Pi is 3.14 and e is 2.718. Next', expected: ['Pi is 3.14 and e is 2.718.', 'Next'] },
    {
      name: 'period before non-space',
      input: 'See example.com/a.b now. Ok',
      expected: ['See example.com/a.b now.', 'Ok'],
    },
    {
      name: 'title abbreviations',
      input: 'Dr. Smith met Mr. Jones. They talked.',
      expected: ['Dr. Smith met Mr. Jones.', 'They talked.'],
    },
    {
      name: 'number abbreviations',
      input: 'See No. 5 and p. 12. The answer is no. Fine.',
      expected: ['See No. 5 and p. 12.', 'The answer is no.', 'Fine.'],
    },
    {
      name: 'etc. ends a sentence',
      input: 'Apples, pears, etc. The end.',
      expected: ['Apples, pears, etc.', 'The end.'],
    },
    {
      name: 'e.g. and i.e.',
      input: 'Fruit, e.g. apples, i.e. red ones. Done.',
      expected: ['Fruit, e.g. apples, i.e. red ones.', 'Done.'],
    },
    {
      name: 'initialism mid-sentence',
      input: 'The U.S. Army and J. K. Rowling. End',
      expected: ['The U.S. Army and J. K. Rowling.', 'End'],
    },
    {
      name: 'ellipsis followed by lower case',
      input: 'I was... thinking. Then… nothing',
      expected: ['I was... thinking.', 'Then… nothing'],
    },
    {
      name: 'CJK',
      input: '你好。今天天气很好！你呢？我；他',
      expected: ['你好。', '今天天气很好！', '你呢？', '我；', '他'],
    },
    {
      name: 'CJK after NFKC (ASCII ! ? ;)',
      input: '你好!今天好?是的;好。',
      expected: ['你好!', '今天好?', '是的;', '好。'],
    },
    { name: 'CJK closing brackets', input: '他说：「好。」然后走了。', expected: ['他说：「好。」', '然后走了。'] },
    { name: 'mixed without spaces', input: '你好。Hello.你好', expected: ['你好。', 'Hello.', '你好'] },
    { name: 'English period followed by Han', input: 'It is good.很好。', expected: ['It is good.', '很好。'] },
    { name: 'punctuation-only piece joins previous', input: 'Hello. ... World', expected: ['Hello. ...', 'World'] },
    {
      name: 'punctuation-only piece at start joins next',
      input: '!!! Hello. World',
      expected: ['!!! Hello.', 'World'],
    },
    { name: 'only punctuation', input: '... !!!', expected: ['... !!!'] },
    {
      name: 'soft line break is not a boundary',
      input: 'first line\nsecond line. Next',
      expected: ['first line\nsecond line.', 'Next'],
    },
    { name: 'surrounding whitespace trimmed', input: '  One.   Two.  ', expected: ['One.', 'Two.'] },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    const got = splitSentences(input);
    expect(got).toEqual(expected);
    expect(got.every((s) => s.length > 0)).toBe(true);
  });
});

describe('splitLanguageRuns', () => {
  const zh = (text: string): Run => ({ lang: 'zh', text });
  const en = (text: string): Run => ({ lang: 'en', text });
  const cases: { name: string; input: string; expected: Run[] }[] = [
    { name: 'empty', input: '', expected: [] },
    { name: 'whitespace', input: '   ', expected: [] },
    {
      name: 'brief example (after NFKC)',
      input: normalizeText('你好，这是一个语音示例。Hello, this is a sample.'),
      expected: [zh('你好,这是一个语音示例。'), en('Hello, this is a sample.')],
    },
    {
      name: 'brief example (raw)',
      input: '你好，这是一个语音示例。Hello, this is a sample.',
      expected: [zh('你好，这是一个语音示例。'), en('Hello, this is a sample.')],
    },
    {
      name: 'digits between Han',
      input: '我有3个apple和2个banana',
      expected: [zh('我有3个'), en('apple'), zh('和2个'), en('banana')],
    },
    {
      name: 'number stays with preceding English',
      input: 'iPhone 15 很好用',
      expected: [en('iPhone 15'), zh('很好用')],
    },
    { name: 'number after last space goes with Han', input: 'Hello 15个人', expected: [en('Hello'), zh('15个人')] },
    {
      name: 'English inside Chinese',
      input: '我喜欢 Python 3 编程',
      expected: [zh('我喜欢'), en('Python 3'), zh('编程')],
    },
    {
      name: 'opening bracket goes with what it opens',
      input: 'Hello (你好) world',
      expected: [en('Hello'), zh('(你好)'), en('world')],
    },
    {
      name: 'opening quote without space',
      input: '他说“Hello”然后',
      expected: [zh('他说'), en('“Hello”'), zh('然后')],
    },
    { name: 'leading neutrals join following run', input: '123 你好', expected: [zh('123 你好')] },
    {
      name: 'leading neutrals join following English',
      input: '...2024: Hello 你好',
      expected: [en('...2024: Hello'), zh('你好')],
    },
    {
      name: 'CJK punctuation alone joins previous',
      input: 'Apple、Google和微软',
      expected: [en('Apple、Google'), zh('和微软')],
    },
    { name: 'CJK punctuation at start joins next', input: '「Hello」', expected: [en('「Hello」')] },
    { name: 'CJK full stop after English then Han', input: 'Apple。他', expected: [en('Apple'), zh('。他')] },
    { name: 'no letters at all is English', input: '123 + 456 = 579!', expected: [en('123 + 456 = 579!')] },
    { name: 'only CJK punctuation and digits', input: '「123」', expected: [en('「123」')] },
    { name: 'emoji ride along', input: '😀 你好 😀 hi 😀', expected: [zh('😀 你好 😀'), en('hi 😀')] },
    { name: 'astral Han', input: '𠀀𠀁abc', expected: [zh('𠀀𠀁'), en('abc')] },
    { name: 'accented Latin', input: 'café 咖啡 naïve', expected: [en('café'), zh('咖啡'), en('naïve')] },
    { name: 'other scripts ride along', input: 'Привет hello 你好', expected: [en('Привет hello'), zh('你好')] },
    { name: 'soft line break between languages', input: 'Hello\n你好', expected: [en('Hello'), zh('你好')] },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(splitLanguageRuns(input)).toEqual(expected);
  });

  it('never emits adjacent runs of the same language or untrimmed text', () => {
    const text = '你好 hello 世界 world。「好」 ok，行 1 2 3 a 你 b 我'.repeat(20);
    const runs = splitLanguageRuns(text);
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.lang).not.toBe(runs[i - 1]!.lang);
    for (const r of runs) expect(r.text).toBe(r.text.trim());
    expect(
      runs
        .map((r) => r.text)
        .join('')
        .replace(/\s/g, ''),
    ).toBe(text.replace(/\s/g, ''));
  });
});

describe('prepareText', () => {
  const empties = [
    '',
    '   ',
    '\n\n\t ',
    '\u200b\u200b',
    '\ufeff',
    '...!!!',
    '。。。',
    '😀😀',
    '\u0301\u0301',
    '\x00\x01',
  ];
  it.each(empties.map((input) => ({ input })))('rejects $input as empty_text', ({ input }) => {
    let caught: unknown;
    try {
      prepareText(input, { maxChunkChars: 100 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'AppError', code: 'empty_text', status: 400 });
  });

  it('accepts a lone digit', () => {
    expect(prepareText(' 7 ', { maxChunkChars: 100 })).toEqual([
      { index: 0, runs: [{ lang: 'en', text: '7' }], chars: 1, paragraphEnd: true },
    ]);
  });

  it('normalizes then chunks', () => {
    const chunks = prepareText(
      '你好，这是一个语音示例。Hello, this is a sample.\r\n\r\n\r\nＮｅｘｔ\u200b paragraph.',
      {
        maxChunkChars: 200,
      },
    );
    expect(chunks).toEqual([
      {
        index: 0,
        runs: [
          { lang: 'zh', text: '你好,这是一个语音示例。' },
          { lang: 'en', text: 'Hello, this is a sample.' },
        ],
        chars: 36,
        paragraphEnd: true,
      },
      { index: 1, runs: [{ lang: 'en', text: 'Next paragraph.' }], chars: 15, paragraphEnd: true },
    ]);
  });

  it('rejects a maxChunkChars that cannot hold a surrogate pair', () => {
    expect(() => prepareText('hello', { maxChunkChars: 1 })).toThrow(RangeError);
    expect(() => prepareText('hello', { maxChunkChars: 2.5 })).toThrow(RangeError);
  });
});
