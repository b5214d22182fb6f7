import { OPUS_COMPLEXITY } from '../audio/encoders/rates.js';
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Format, SynthesisRequest } from '../domain/job.js';
import { baseEngineName } from '../engines/registry.js';
import { outputRate } from '../engines/roster.js';
import type { AppliedLexicons } from '../lexicons/lexicon.js';
import { normalizeText } from '../text/index.js';

/** Everything that decides the audio's bytes; two requests with equal fields get the same file. */
export interface ContentFields {
  engine: string;
  modelVersion: string;
  voice: string;
  speed: number;
  format: Format;
  sampleRate: number;
  text: string;
  /** Encoder settings that change the bytes (the MP3 bitrate). */
  encoding?: string;
  /** The tenant a cached result is kept for (CACHE_SCOPE=tenant); unset: shared by everyone. */
  scope?: string;
}

/**
 * Bump when the synthesis pipeline changes the audio it makes (pauses, encoders, chunking) or what a
 * result holds (2: timings; 3: the chunk plan, a short first chunk and growing ones).
 */
const PIPELINE_VERSION = 3;

/** The content address of a result: sha256 over the fields, with the text normalized. */
export function contentKey(f: ContentFields): string {
  const parts = [
    PIPELINE_VERSION,
    f.engine,
    f.modelVersion,
    f.voice,
    f.speed,
    f.format,
    f.sampleRate,
    f.encoding ?? '',
    normalizeText(f.text),
    // Appended only when set, so a global cache keeps the keys it had before scopes existed.
    ...(f.scope === undefined ? [] : [`tenant:${f.scope}`]),
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The model behind an engine as far as the bytes go: Kokoro's weights variant; espeak-ng is pinned by the lockfile. */
export function modelVersion(engine: string, config: Pick<Config, 'kokoroVariant'>): string {
  const base = baseEngineName(engine);
  return base === 'kokoro' ? `kokoro-v1.0-${config.kokoroVariant}` : base;
}

/**
 * What the applied lexicons contribute to a key: their entries, in the order they apply, not their
 * names. Lexicons are per tenant, so two tenants' `brand@1` can hold different entries: with
 * CACHE_SCOPE=global a key by name@version served one tenant the audio of the other's lexicon.
 */
export function lexiconDigest(lexicon: AppliedLexicons): string {
  return `lexicon:${createHash('sha256').update(JSON.stringify(lexicon.entries)).digest('hex')}`;
}

/**
 * The content key of a request as run by `engine` (the voice already resolved for that engine);
 * `engineRate` is the engine's own sample rate (the roster's `capabilities(engine).sampleRate`).
 */
export function requestKey(
  request: SynthesisRequest,
  engine: string,
  engineRate: number,
  config: Pick<Config, 'kokoroVariant' | 'mp3Bitrate'> & Partial<Pick<Config, 'opusComplexity'>>,
  scope?: string,
): string {
  const rate = outputRate(request.format, engineRate, request.sampleRate);
  return contentKey({
    engine: baseEngineName(engine),
    modelVersion: modelVersion(engine, config),
    voice: request.voice,
    speed: request.speed,
    format: request.format,
    sampleRate: rate,
    // Markup is not text: SSML never shares a key with the same characters read as plain text.
    text: `${request.ssml ? 'ssml\u0000' : ''}${request.lexicon ? `${lexiconDigest(request.lexicon)}\u0000` : ''}${request.text}`,
    encoding:
      request.format === 'mp3'
        ? `${config.mp3Bitrate}k`
        : request.format === 'opus'
          ? `c${config.opusComplexity ?? OPUS_COMPLEXITY}`
          : '',
    ...(scope === undefined ? {} : { scope }),
  });
}
