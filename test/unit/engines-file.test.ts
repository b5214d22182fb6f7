import { describe, expect, it } from 'vitest';
import { EnginesFileError, parseEnginesFile } from '../../src/config/engines-file.js';

const problemsOf = (text: string, reserved: string[] = []): string[] => {
  try {
    parseEnginesFile(text, 'engines.yaml', reserved);
  } catch (err) {
    if (err instanceof EnginesFileError) return err.problems;
    throw err;
  }
  throw new Error('expected the file to be refused');
};

describe('engines file', () => {
  it('reads YAML with defaults filled in', () => {
    const [e] = parseEnginesFile(
      `engines:\n  gpu-index:\n    kind: http\n    protocol: openai\n    url: http://gpu:8000/v1\n    api_key_env: GPU_KEY\n    voices: { zh: { female: xiaoyi, male: yunjian } }\n`,
      'engines.yaml',
    );
    expect(e).toMatchObject({
      name: 'gpu-index',
      protocol: 'openai',
      url: 'http://gpu:8000/v1',
      api_key_env: 'GPU_KEY',
      response_format: 'wav',
      sample_rate: 24000,
      max_chars: 400,
      concurrency: 4,
      timeout_ms: 60000,
      voices: { zh: { female: 'xiaoyi', male: 'yunjian' } },
    });
  });

  it('reads JSON', () => {
    const specs = parseEnginesFile(
      '{"engines":{"old":{"kind":"http","protocol":"seed","url":"http://legacy:8080/api/tts"}}}',
      'e.json',
    );
    expect(specs.map((s) => [s.name, s.protocol])).toEqual([['old', 'seed']]);
  });

  it('lists every problem with the file and the field', () => {
    const problems = problemsOf(
      [
        'engines:',
        '  a:',
        '    kind: http',
        '    protocol: grpc',
        '    url: ftp://host/x',
        '    concurrency: 0',
        '    colour: blue',
        '  b:',
        '    kind: http',
        '    protocol: seed',
        '    url: http://user:pw@host/api/tts',
        '    api_key_env: sk-123',
      ].join('\n'),
    );
    const joined = problems.join('\n');
    expect(problems.every((p) => p.startsWith('engines.yaml: '))).toBe(true);
    expect(joined).toMatch(/engines\.a\.protocol: /);
    expect(joined).toMatch(/engines\.a\.url: expected an http/);
    expect(joined).toMatch(/engines\.a\.concurrency: /);
    expect(joined).toMatch(/engines\.a: .*colour/);
    expect(joined).toMatch(/engines\.b\.url: must not hold credentials/);
    expect(joined).toMatch(/engines\.b\.api_key_env: expected the name of an environment variable/);
    // A key pasted in by mistake is never echoed.
    expect(joined).not.toContain('sk-123');
    expect(joined).not.toContain('pw@');
  });

  it('refuses unknown kinds, bad names, built-in names and broken syntax', () => {
    expect(problemsOf('engines:\n  a:\n    kind: grpc\n').join()).toMatch(/engines\.a\.kind/);
    expect(
      problemsOf('engines:\n  Big_Name:\n    kind: http\n    protocol: seed\n    url: http://h/x\n').join(),
    ).toMatch(/lower-case/);
    expect(
      problemsOf('engines:\n  espeak:\n    kind: http\n    protocol: seed\n    url: http://h/x\n', ['espeak']).join(),
    ).toMatch(/engines\.espeak: "espeak" is a built-in engine/);
    expect(problemsOf('engines: [unclosed').join()).toMatch(/^engines\.yaml: not valid YAML or JSON/);
    // A bad name and a bad field of another engine are listed together.
    const both = problemsOf(
      'engines:\n  espeak:\n    kind: http\n    protocol: seed\n    url: http://h/x\n  b:\n    kind: http\n    protocol: x\n    url: http://h/x\n',
      ['espeak'],
    );
    expect(both).toHaveLength(2);
    expect(problemsOf('{}').join()).toMatch(/engines\.yaml: engines: /);
  });
});
