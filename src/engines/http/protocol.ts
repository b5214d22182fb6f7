import type { HttpEngineSpec } from '../../config/engines-file.js';

/** One request to a remote speech server. */
export interface RemoteRequest {
  url: string;
  body: Record<string, unknown>;
  /** Raw PCM was asked for: the answer has no header, its rate is the protocol's. */
  rawPcm: boolean;
}

/**
 * How each protocol asks for speech.
 * - openai: `POST {url}/audio/speech {model, input, voice, response_format, speed}` (OpenAI's speech API,
 *   spoken by Kokoro-FastAPI, LocalAI, speaches and most GPU servers); its `pcm` is 24 kHz s16le.
 * - seed: `POST {url} {text, voice, speed}` answering audio bytes (the original service's `/api/tts`).
 */
export function buildRequest(
  spec: HttpEngineSpec,
  input: { text: string; voice: string; speed: number },
): RemoteRequest {
  if (spec.protocol === 'openai') {
    return {
      url: speechUrl(spec.url),
      body: {
        model: spec.model ?? 'tts-1',
        input: input.text,
        voice: input.voice,
        response_format: spec.response_format,
        speed: input.speed,
      },
      rawPcm: spec.response_format === 'pcm',
    };
  }
  return { url: spec.url, body: { text: input.text, voice: input.voice, speed: input.speed }, rawPcm: false };
}

/** `{url}/audio/speech`, keeping any query string (some gateways carry a tenant or API version there). */
function speechUrl(base: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/audio/speech`;
  return u.toString();
}

/** Voices a protocol's servers usually know, used when the engines file names none. */
export const DEFAULT_VOICES: Record<HttpEngineSpec['protocol'], { female: string; male: string }> = {
  openai: { female: 'alloy', male: 'onyx' },
  seed: { female: 'female', male: 'male' },
};

/**
 * Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable.
 * Capped at an hour so a confused server cannot park traffic for days.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), 3_600_000);
}
