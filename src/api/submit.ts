import type { Request } from 'express';
import type { Job } from 'bullmq';
import { AppError } from '../domain/errors.js';
import type { JobData, JobOutcome, SynthesisRequest } from '../domain/job.js';
import { getEngine } from '../engines/registry.js';
import { allowedVoices } from '../engines/voice.js';
import { prepareInput } from '../ssml/prepare.js';
import { lexiconNamespace } from './routes/lexicons.js';
import type { LexiconStore } from '../lexicons/store.js';
import { checkWebhookUrl, WebhookUrlError } from '../webhooks/ssrf.js';
import { Idempotency, requestHash } from './idempotency.js';
import type { JobService } from './job-service.js';
import { parseSynthesisBody, type RequestLimits } from './schemas.js';
import { jobIdOf } from '../domain/required.js';

/** What a submission led to: a new job, or (same Idempotency-Key and body) the job an earlier request made. */
export interface Submitted {
  id: string;
  replayed: boolean;
}

/** Longest a repeated request waits for the job of a concurrent first request to appear. */
const REPLAY_WAIT_MS = 2000;

/** Every endpoint that reads a JSON body says the same when it gets something else. */
export function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new AppError('unsupported_content_type', 'Content-Type must be application/json', {
      status: 400,
      details: { allowed: ['application/json'] },
    });
  }
}

/** Validation + enqueue shared by every endpoint that accepts a synthesis request. */
export class Submitter {
  private readonly idempotency: Idempotency;
  readonly limits: { ttsMaxChars: number; jobsMaxChars: number };
  private readonly voices: RequestLimits['voices'];
  private readonly speed: RequestLimits['speed'];

  constructor(
    private readonly jobs: JobService,
    opts: { ttsMaxChars: number; jobsMaxChars: number },
    /** Pronunciation lexicons a request may name; without it `lexicons` is ignored. */
    private readonly lexicons?: LexiconStore,
  ) {
    this.limits = opts;
    this.idempotency = new Idempotency(jobs.redis, jobs.config.queuePrefix, jobs.config.idempotencyTtlSeconds);
    const primary = getEngine(jobs.engineFor('primary')).capabilities;
    const backup = getEngine(jobs.engineFor('backup')).capabilities;
    const p = allowedVoices(primary);
    const b = allowedVoices(backup);
    this.voices = { primary: p, backup: b, auto: [...new Set([...p, ...b])] };
    // Speed must suit whichever engine ends up running the job.
    this.speed = {
      min: Math.max(primary.speed.min, backup.speed.min),
      max: Math.min(primary.speed.max, backup.speed.max),
    };
  }

  async submit(req: Request, maxChars: number): Promise<Submitted> {
    requireJson(req);
    const parsed = parseSynthesisBody(req.body, { maxChars, voices: this.voices, speed: this.speed });
    const lexicon = await this.lexicons?.resolve(
      lexiconNamespace(req),
      (req.body as { lexicons?: unknown } | undefined)?.lexicons,
    );
    const request = lexicon ? { ...parsed, lexicon } : parsed;
    const engine = getEngine(this.jobs.engineFor(request.engine === 'backup' ? 'backup' : 'primary'));
    // Rejects text with nothing to speak before anything is queued; the count seeds progress.
    const chunks = prepareInput(request.text, {
      maxChunkChars: engine.capabilities.maxChunkChars,
      ssml: request.ssml,
      lexicon: request.lexicon?.entries,
    });
    const webhookUrl = await this.webhookUrl(req.body as Record<string, unknown>);
    const key = Idempotency.keyOf(req.headers['idempotency-key']);
    if (!key)
      return {
        id: jobIdOf(await this.enqueue(request, req.id, chunks.length, webhookUrl, undefined, req.redisGaveUp)),
        replayed: false,
      };
    const claim = await this.idempotency.claim(key, requestHash(req.path, req.body));
    if (!claim.fresh) return { id: await this.replayed(claim.jobId), replayed: true };
    try {
      await this.enqueue(request, req.id, chunks.length, webhookUrl, claim.jobId, req.redisGaveUp);
    } catch (err) {
      await claim.release().catch(() => undefined); // nothing was queued: the client may retry with the same key
      throw err;
    }
    return { id: claim.jobId, replayed: false };
  }

  private enqueue(
    request: SynthesisRequest,
    requestId: string,
    chunks: number,
    webhookUrl?: string,
    jobId?: string,
    abandoned?: AbortSignal,
  ): Promise<Job<JobData, JobOutcome>> {
    return this.jobs.submit(request, { requestId, chunks, webhookUrl, jobId, abandoned });
  }

  /** The job of an earlier request with the same key; a concurrent first request may still be queuing it. */
  private async replayed(id: string): Promise<string> {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    for (;;) {
      try {
        await this.jobs.get(id); // 410 for an expired one
        return id;
      } catch (err) {
        if ((err as AppError).status !== 404 || Date.now() > deadline) throw err;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** `webhook_url`, checked: http(s), and not reaching private addresses unless allow-listed. */
  private async webhookUrl(body: Record<string, unknown>): Promise<string | undefined> {
    const raw = body.webhook_url;
    if (raw === undefined || raw === null) return undefined;
    const { webhookSecret, webhookAllowHosts } = this.jobs.config;
    const refuse = (message: string, code = 'invalid_request') =>
      new AppError(code, message, { status: 400, details: { field: 'webhook_url' } });
    if (typeof raw !== 'string' || raw.length > 2048)
      throw refuse('"webhook_url" must be an http(s) URL of at most 2048 characters');
    if (!webhookSecret)
      throw refuse('Webhooks are not enabled on this server (WEBHOOK_SECRET is not set)', 'webhooks_disabled');
    try {
      await checkWebhookUrl(raw, { allowHosts: webhookAllowHosts });
    } catch (err) {
      if (err instanceof WebhookUrlError) throw refuse(`"webhook_url" refused: ${err.reason}`, 'webhook_url_refused');
      throw err;
    }
    return raw;
  }
}
