import { Router } from 'express';
import type { Config } from '../../config/schema.js';
import { AppError } from '../../domain/errors.js';
import {
  type EngineChoice,
  FORMATS,
  type Format,
  HEADER_PATCHED_FORMATS,
  type SynthesisRequest,
} from '../../domain/job.js';
import type { EngineRoster } from '../../engines/roster.js';
import { prepareText } from '../../text/index.js';
import type { JobService } from '../job-service.js';
import { countChars } from '../schemas.js';
import { streamJobAudio } from '../stream.js';
import type { Storage } from '../../storage/storage.js';
import type { FreeSpace } from '../../storage/free-space.js';
import { callerOf } from '../caller.js';
import type { Quotas } from '../quotas.js';

/** OpenAI model names and the engine choice each maps to. */
export const OPENAI_MODELS: Record<string, EngineChoice> = {
  'tts-1': 'auto',
  'tts-1-hd': 'primary',
  'gpt-4o-mini-tts': 'auto',
};
/** OpenAI accepts speeds 0.25–4.0; we clamp them to what the engines do. */
const OPENAI_SPEED = { min: 0.25, max: 4 };
const RESPONSE_FORMATS = [...FORMATS, 'aac'] as const;
const CREATED = 1_700_000_000;

const invalid = (param: string, message: string, code = 'invalid_request') =>
  new AppError(code, message, { status: 400, details: { field: param } });

/**
 * The OpenAI-compatible speech API: `POST /v1/audio/speech` and `GET /v1/models`.
 * Requests become ordinary jobs; the audio streams back as it is made.
 */
export function openAiRouter({
  config,
  roster,
  jobs,
  storage,
  quotas,
  space,
}: {
  config: Config;
  roster: EngineRoster;
  jobs: JobService;
  storage: Storage;
  quotas?: Quotas;
  space?: FreeSpace;
}): Router {
  const r = Router();
  const { voices, speed } = roster;

  const model = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'tandem-tts' });
  r.get('/v1/models', (_req, res) => {
    res.json({ object: 'list', data: Object.keys(OPENAI_MODELS).map(model) });
  });
  r.get('/v1/models/:id', (req, res) => {
    if (!(req.params.id in OPENAI_MODELS))
      throw new AppError('model_not_found', `The model '${req.params.id.slice(0, 100)}' does not exist`, {
        status: 404,
        details: { field: 'model' },
      });
    res.json(model(req.params.id));
  });

  r.post('/v1/audio/speech', async (req, res) => {
    if (!req.is('application/json'))
      throw new AppError('unsupported_content_type', 'Content-Type must be application/json', { status: 400 });
    const request = parseSpeechBody(req.body, {
      voiceMap: config.openaiVoiceMap,
      maxChars: config.openaiMaxChars,
      voices,
      speed,
    });
    const chunks = prepareText(request.text, roster.chunkPlan(request.engine));
    await space?.assertRoom();
    const caller = callerOf(req);
    const prepared = await jobs.prepare(request, {
      requestId: req.id,
      chunks: chunks.length,
      recount: (plan) => prepareText(request.text, plan).length,
      tenant: caller.tenant,
      priority: 'interactive',
    });
    const chars = countChars(request.text);
    await quotas?.reserve(caller, chars, prepared.id);
    try {
      await jobs.create(prepared, { useCache: true, abandoned: req.redisGaveUp, waitedMs: req.redisWaitedMs });
    } catch (err) {
      await quotas?.refund(caller, chars, prepared.id).catch(() => undefined);
      throw err;
    }
    // A streamed WAV or FLAC keeps the "unknown length" header it started with, which a client saving
    // the file then has (sox reads 27 hours); unless the client asks for a stream, send the finished file.
    const streamed = (req.body as { stream_format?: unknown }).stream_format === 'audio';
    const whole = !streamed && HEADER_PATCHED_FORMATS.has(request.format);
    await streamJobAudio(res, jobs, storage, prepared.id, { whole });
  });
  return r;
}

export interface SpeechLimits {
  voiceMap: Record<string, string>;
  maxChars: number;
  voices: Readonly<Record<EngineChoice, readonly string[]>>;
  speed: Readonly<{ min: number; max: number }>;
}

/** Validate an OpenAI speech request and translate it into this service's request. */
export function parseSpeechBody(body: unknown, limits: SpeechLimits): SynthesisRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('input', 'Request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const engine =
    typeof b.model === 'string' && Object.hasOwn(OPENAI_MODELS, b.model) ? OPENAI_MODELS[b.model] : undefined;
  if (engine === undefined) {
    throw invalid('model', `"model" must be one of ${Object.keys(OPENAI_MODELS).join(', ')}`, 'model_not_found');
  }
  if (typeof b.input !== 'string' || b.input.trim() === '')
    throw invalid('input', '"input" must be a non-empty string');
  const chars = countChars(b.input);
  if (chars > limits.maxChars)
    throw invalid(
      'input',
      `"input" is ${chars} characters; at most ${limits.maxChars} are allowed`,
      'string_above_max_length',
    );
  if (typeof b.voice !== 'string') throw invalid('voice', '"voice" must be a string');
  const voice = limits.voiceMap[b.voice] ?? b.voice;
  const engineVoices = limits.voices[engine];
  if (!engineVoices.includes(voice)) {
    throw invalid(
      'voice',
      `Unknown voice ${JSON.stringify(b.voice.slice(0, 64))}: use one of ${[...Object.keys(limits.voiceMap), ...engineVoices].join(', ')}`,
    );
  }
  const fmt = b.response_format ?? 'mp3';
  if (fmt === 'aac')
    throw invalid(
      'response_format',
      '"aac" is not available on this server (no AAC encoder); use mp3, opus, flac, wav or pcm',
      'unsupported_format',
    );
  if (typeof fmt !== 'string' || !(RESPONSE_FORMATS as readonly string[]).includes(fmt)) {
    throw invalid('response_format', `"response_format" must be one of ${FORMATS.join(', ')}`);
  }
  if (b.stream_format !== undefined && b.stream_format !== 'audio')
    throw invalid('stream_format', 'only "stream_format": "audio" is supported');
  const raw = b.speed ?? 1;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < OPENAI_SPEED.min || raw > OPENAI_SPEED.max) {
    throw invalid('speed', `"speed" must be a number from ${OPENAI_SPEED.min} to ${OPENAI_SPEED.max}`);
  }
  // OpenAI's wider range is clamped to what the engines do (documented in the README).
  const speed = Math.min(limits.speed.max, Math.max(limits.speed.min, raw));
  // OpenAI's `pcm` is 24 kHz s16le; clients play it at that rate without reading any header.
  return {
    text: b.input,
    voice,
    speed,
    format: fmt as Format,
    engine,
    ...(fmt === 'pcm' ? { sampleRate: 24_000 } : {}),
  };
}
