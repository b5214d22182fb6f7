/**
 * The engines file (ENGINES_FILE): engines defined by the operator rather
 * than built in, today remote speech servers reached over HTTP. Parsed once
 * at start, with every problem listed by file and field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const HTTP_PROTOCOLS = ['openai', 'seed'] as const;
export type HttpProtocol = (typeof HTTP_PROTOCOLS)[number];
/** Formats an OpenAI-compatible server may be asked for (`response_format`). */
export const REMOTE_FORMATS = ['wav', 'pcm', 'mp3', 'opus', 'flac'] as const;
export type RemoteFormat = (typeof REMOTE_FORMATS)[number];

const ENGINE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const voiceName = z.string().min(1).max(200);
const genders = z.strictObject({ female: voiceName, male: voiceName });

/** One engine of kind `http`, as written in the file (snake_case) after defaults. */
const httpEngine = z.strictObject({
  kind: z.literal('http'),
  protocol: z.enum(HTTP_PROTOCOLS),
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .refine(
      (u) => !/^https?:\/\/[^/]*@/.test(u),
      'must not hold credentials; name an environment variable in api_key_env',
    ),
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, not the key itself')
    .optional(),
  model: z.string().min(1).max(200).optional(),
  /** Voices per language and gender; a language left out is read by the other language's voices. */
  voices: z
    .strictObject({ zh: genders.optional(), en: genders.optional() })
    .refine((v) => v.zh || v.en, 'name the voices of zh, en or both')
    .optional(),
  response_format: z.enum(REMOTE_FORMATS).default('wav'),
  /** This engine's output rate: whatever the remote answers is resampled to it. */
  sample_rate: z.number().int().min(8000).max(192_000).default(24_000),
  /** Rate of the remote's raw PCM (`response_format: pcm`); OpenAI's protocol states 24 kHz. */
  pcm_rate: z.number().int().min(8000).max(192_000).default(24_000),
  max_chars: z.number().int().min(10).max(100_000).default(400),
  concurrency: z.number().int().min(1).max(256).default(4),
  timeout_ms: z.number().int().min(100).max(3_600_000).default(60_000),
  speed: z
    .strictObject({ min: z.number().positive(), max: z.number().positive() })
    .refine((s) => s.min <= s.max, 'min must not exceed max')
    .default({ min: 0.5, max: 2 }),
});
export type HttpEngineSpec = z.infer<typeof httpEngine> & { name: string };

const fileSchema = z.strictObject({
  engines: z.record(z.string(), z.discriminatedUnion('kind', [httpEngine], { error: 'kind must be "http"' })),
});

/** Thrown when the engines file cannot be read or is invalid; `problems` lists each with file and field. */
export class EnginesFileError extends Error {
  readonly code = 'invalid_engines_file';
  constructor(readonly problems: string[]) {
    super(`Invalid engines file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnginesFileError';
  }
}

/** Parse the text of an engines file (YAML, of which JSON is a subset). */
export function parseEnginesFile(text: string, file: string, reserved: readonly string[] = []): HttpEngineSpec[] {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new EnginesFileError([`${file}: not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = fileSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${file}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  // Names are checked even when an entry is invalid, so one start lists every problem.
  const names = Object.keys((raw as { engines?: unknown } | null)?.engines ?? {});
  for (const name of typeof (raw as { engines?: unknown } | null)?.engines === 'object' ? names : []) {
    if (!ENGINE_NAME.test(name))
      problems.push(
        `${file}: engines.${name}: engine names are lower-case letters, digits and dashes, starting with a letter`,
      );
    else if (reserved.includes(name))
      problems.push(`${file}: engines.${name}: "${name}" is a built-in engine; pick another name`);
  }
  if (!parsed.success || problems.length) throw new EnginesFileError(problems);
  return Object.entries(parsed.data.engines).map(([name, spec]) => ({ ...spec, name }));
}

/** Read and parse the engines file at `path`. */
export function loadEnginesFile(path: string, reserved: readonly string[] = []): HttpEngineSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EnginesFileError([
      `${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    ]);
  }
  return parseEnginesFile(text, path, reserved);
}
