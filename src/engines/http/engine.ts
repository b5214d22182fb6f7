import type { HttpEngineSpec } from '../../config/engines-file.js';
import { concatPcm } from '../../audio/pcm.js';
import type { Lang } from '../../text/types.js';
import type { EngineCapabilities, EngineHealth, SynthesisInput, TtsEngine } from '../engine.js';
import { resolveVoice } from '../voice.js';
import { decodeRemoteAudio, NotAudioError, preview } from './decode.js';
import { remoteError, remoteOverloaded } from './errors.js';
import { buildRequest, retryAfterMs } from './protocol.js';

/** Overload with no Retry-After (a bare 429): back off this long. */
const DEFAULT_BACKOFF_MS = 5000;
const SPEAKABLE = /[\p{L}\p{N}]/u;
/** Largest answer accepted for one chunk; a chunk of speech is a few MB at most. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A speech server reached over HTTP. No inference runs here, so it lives on
 * the worker's own event loop; each chunk is one request per voice it needs.
 * The API key is held in a private field and never put into a message.
 */
export class HttpEngine implements TtsEngine {
  readonly name: string;
  readonly #apiKey: string | undefined;
  /** Where requests go, without query string, for messages. */
  private readonly where: string;

  constructor(
    private readonly spec: HttpEngineSpec,
    readonly capabilities: EngineCapabilities,
    apiKey: string | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.name = spec.name;
    this.#apiKey = apiKey;
    const u = new URL(spec.url);
    this.where = `${u.origin}${u.pathname}`;
  }

  async load(): Promise<void> {}

  async synthesize(input: SynthesisInput): Promise<Int16Array> {
    // Consecutive runs read by the same remote voice go in one request.
    const groups: { voice: string; text: string }[] = [];
    for (const run of input.chunk.runs) {
      const voice = resolveVoice(this.capabilities, input.voice, run.lang as Lang);
      const last = groups.at(-1);
      if (last && last.voice === voice) last.text += ` ${run.text}`;
      else groups.push({ voice, text: run.text });
    }
    const parts: Int16Array[] = [];
    for (const g of groups) {
      // Nothing speakable (only punctuation): no request, silence — many servers answer 400 to such input.
      if (SPEAKABLE.test(g.text)) parts.push(await this.request(g.text, g.voice, input.speed));
    }
    return concatPcm(parts);
  }

  private async request(text: string, voice: string, speed: number): Promise<Int16Array> {
    const req = buildRequest(this.spec, { text, voice, speed });
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'audio/*' };
    if (this.#apiKey) headers.Authorization = `Bearer ${this.#apiKey}`;
    const signal = AbortSignal.timeout(this.spec.timeout_ms);
    const at = `${this.name} (${this.where})`;
    let res: Response;
    let body: Buffer;
    try {
      res = await this.fetchImpl(req.url, { method: 'POST', headers, body: JSON.stringify(req.body), signal });
      const length = Number(res.headers.get('content-length') ?? 0);
      if (length > MAX_BODY_BYTES) {
        await res.body?.cancel().catch(() => undefined);
        throw remoteError('remote_not_audio', `remote engine ${at} answered ${length} bytes for one chunk (too large)`);
      }
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw this.transportError(err, at);
    }
    const type = res.headers.get('content-type') ?? '';
    if (res.status === 429 || (res.status === 503 && res.headers.has('retry-after'))) {
      const ms = retryAfterMs(res.headers.get('retry-after')) ?? DEFAULT_BACKOFF_MS;
      throw remoteOverloaded(
        `remote engine ${at} is overloaded (HTTP ${res.status}, retry after ${Math.ceil(ms / 1000)} s)`,
        ms,
      );
    }
    if (res.status >= 400) {
      const detail = this.redact(preview(body));
      const msg = `remote engine ${at} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
      // A 4xx other than 429 is a request the remote will keep refusing (bad voice, bad key): no retry helps.
      throw remoteError(res.status >= 500 ? 'remote_http_error' : 'remote_rejected', msg);
    }
    try {
      return await decodeRemoteAudio(
        { body, contentType: type, rawPcm: req.rawPcm, rawRate: this.spec.pcm_rate },
        this.capabilities.sampleRate,
      );
    } catch (err) {
      if (err instanceof NotAudioError)
        throw remoteError('remote_not_audio', `remote engine ${at} ${this.redact(err.message)}`);
      throw err;
    }
  }

  private transportError(err: unknown, at: string) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'AppError') return e;
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return remoteError('remote_timeout', `remote engine ${at} did not answer within ${this.spec.timeout_ms} ms`);
    const code = e.cause?.code ?? e.cause?.message ?? e.message;
    return remoteError('remote_unreachable', `cannot reach remote engine ${at}: ${this.redact(String(code))}`);
  }

  /** A server may echo what it was sent; the key never leaves through a message. */
  private redact(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join('[redacted]') : text;
  }

  async health(): Promise<EngineHealth> {
    // Health is what the monitor's probes through the queue show; nothing is sent from here.
    return { ok: true };
  }

  async dispose(): Promise<void> {}
}
