import { z } from 'zod';
import { OUTPUT_SAMPLE_RATES } from '../audio/encoders/rates.js';
import { AppError } from '../domain/errors.js';
import { ENGINE_CHOICES, FORMATS, type SynthesisRequest } from '../domain/job.js';
import { isSsml, parseSsml } from '../ssml/parse.js';

export interface RequestLimits {
  maxChars: number;
  /** Voices allowed for each engine choice. */
  voices: Readonly<Record<(typeof ENGINE_CHOICES)[number], readonly string[]>>;
  speed: Readonly<{ min: number; max: number }>;
}

const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError('invalid_request', message, { status: 400, details: { field, ...details } });

// Built once: a zod schema costs far more to build than to run, and these are the same for every request.
const ENGINE = z.enum(ENGINE_CHOICES).default('auto');
const FORMAT = z.enum(FORMATS).default('wav');
/** Speed schemas by range; a process sees one range (its engines'), so this stays a single entry. */
const speedSchemas = new Map<string, z.ZodDefault<z.ZodNumber>>();
function speedSchema(min: number, max: number): z.ZodDefault<z.ZodNumber> {
  const key = `${min}:${max}`;
  let schema = speedSchemas.get(key);
  if (!schema) {
    schema = z.number().min(min).max(max).default(1);
    speedSchemas.set(key, schema);
  }
  return schema;
}

/**
 * Validate a synthesis request body (shared by /api/jobs and /api/tts).
 * Unknown fields are ignored so newer clients keep working.
 */
export function parseSynthesisBody(body: unknown, limits: RequestLimits): SynthesisRequest {
  const textType = (body as { text_type?: unknown } | null)?.text_type;
  if (textType !== undefined && textType !== null && textType !== 'text' && textType !== 'ssml')
    throw invalid('text_type', '"text_type" must be "text" or "ssml"', { allowed: ['text', 'ssml'] });
  const raw = (body as { text?: unknown } | null)?.text;
  const ssml = typeof raw === 'string' && isSsml(raw, textType);
  // SSML counts its spoken characters, after markup; the markup itself is bounded by the SSML parser.
  const { b, text } = parseTextBody(body, ssml ? Number.MAX_SAFE_INTEGER : limits.maxChars);
  const doc = ssml ? parseSsml(text) : undefined;
  if (doc && doc.chars > limits.maxChars) {
    throw new AppError('text_too_long', 'Text too long (characters counted after SSML markup)', {
      status: 413,
      details: { max_length: limits.maxChars, length: doc.chars },
    });
  }

  const engine = ENGINE.safeParse(b.engine ?? undefined);
  if (!engine.success)
    throw invalid('engine', `"engine" must be one of ${ENGINE_CHOICES.join(', ')}`, { allowed: ENGINE_CHOICES });

  const format = FORMAT.safeParse(b.format ?? undefined);
  if (!format.success) throw invalid('format', `"format" must be one of ${FORMATS.join(', ')}`, { allowed: FORMATS });

  const { min, max } = limits.speed;
  const speed = speedSchema(min, max).safeParse(b.speed ?? undefined);
  if (!speed.success)
    throw invalid('speed', `"speed" must be a number from ${min} to ${max}`, { allowed: { min, max } });

  const voice = parseVoice(b.voice, limits.voices[engine.data]);

  const sampleRate = parseSampleRate(b.sample_rate);
  if (b.captions !== undefined && b.captions !== null && typeof b.captions !== 'boolean')
    throw invalid('captions', '"captions" must be true or false');
  return {
    text,
    voice,
    speed: speed.data,
    format: format.data,
    engine: engine.data,
    ...(sampleRate ? { sampleRate } : {}),
    ...(b.captions === true ? { captions: true } : {}),
    ...(doc ? { ssml: true, spokenChars: doc.chars, ...(doc.warnings.length ? { warnings: doc.warnings } : {}) } : {}),
  };
}

/**
 * The body as an object and its `text`, checked as every endpoint that takes text checks it
 * (missing, not a string, blank, longer than `maxChars`).
 */
export function parseTextBody(body: unknown, maxChars: number): { b: Record<string, unknown>; text: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_request', 'Request body must be a JSON object with a "text" field', { status: 400 });
  }
  const b = body as Record<string, unknown>;
  if (b.text === undefined || b.text === null) throw invalid('text', 'Missing "text": the text to speak');
  if (typeof b.text !== 'string') throw invalid('text', '"text" must be a string');
  if (b.text.trim() === '') throw invalid('text', '"text" is empty');
  const chars = countChars(b.text);
  if (chars > maxChars) {
    throw new AppError('text_too_long', 'Text too long', {
      status: 413,
      details: { max_length: maxChars, length: chars },
    });
  }
  return { b, text: b.text };
}

/** `voice`: unset (female) or one of `allowed`. */
export function parseVoice(raw: unknown, allowed: readonly string[]): string {
  const voice = raw ?? 'female';
  if (typeof voice !== 'string' || !allowed.includes(voice)) {
    throw invalid('voice', `Unknown voice ${JSON.stringify(voice)}`, { allowed });
  }
  return voice;
}

/** `sample_rate`: unset (the engine's rate) or one of OUTPUT_SAMPLE_RATES. */
export function parseSampleRate(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !(OUTPUT_SAMPLE_RATES as readonly number[]).includes(raw)) {
    throw invalid('sample_rate', `"sample_rate" must be one of ${OUTPUT_SAMPLE_RATES.join(', ')}`, {
      allowed: OUTPUT_SAMPLE_RATES,
    });
  }
  return raw;
}

/** Length in Unicode code points, so a CJK character or an emoji counts once. */
export function countChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Job ids are UUIDs; anything else cannot name a job and never reaches Redis. */
export const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
