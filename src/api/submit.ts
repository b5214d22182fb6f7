import type { JobRecord } from '../jobs/record.js';
import type { Request } from 'express';
import { assertAudioBound } from '../domain/audio-bound.js';
import { AppError } from '../domain/errors.js';
import { PRIORITIES, type Priority } from '../domain/job.js';
import type { EngineRoster } from '../engines/roster.js';
import { prepareInput } from '../ssml/prepare.js';
import type { ChunkPlan } from '../text/chunk-plan.js';
import { lexiconNamespace } from './routes/lexicons.js';
import type { LexiconStore } from '../lexicons/store.js';
import { checkWebhookUrl, WebhookUrlError } from '../webhooks/ssrf.js';
import { callerOf } from './caller.js';
import { type ClaimRecord, Idempotency, requestPrint } from './idempotency.js';
import type { JobService } from './job-service.js';
import type { Quotas } from './quotas.js';
import { countChars, parseSynthesisBody, type RequestLimits } from './schemas.js';

/** What a submission led to: a new job, or (same Idempotency-Key and body) the job an earlier request made. */
export interface Submitted {
  id: string;
  replayed: boolean;
  /** The record as this request wrote it (absent for a replay). */
  record?: JobRecord;
}

/** Longest a repeated request waits for the job of a concurrent first request to appear (claims from older versions). */
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
    private readonly roster: EngineRoster,
    opts: { ttsMaxChars: number; jobsMaxChars: number },
    /** Pronunciation lexicons a request may name; without it `lexicons` is ignored. */
    private readonly lexicons?: LexiconStore,
    private readonly quotas?: Quotas,
  ) {
    this.limits = opts;
    this.idempotency = new Idempotency(jobs.redis, jobs.config.queuePrefix, jobs.config.idempotencyTtlSeconds);
    this.voices = roster.voices;
    // Speed must suit whichever engine ends up running the job.
    this.speed = roster.speed;
  }

  /** Validate and queue a request; `priority` is the endpoint's class unless the body names one. */
  async submit(req: Request, maxChars: number, priority: Priority = 'normal'): Promise<Submitted> {
    requireJson(req);
    const parsed = parseSynthesisBody(req.body, { maxChars, voices: this.voices, speed: this.speed });
    const lexicon = await this.lexicons?.resolve(
      lexiconNamespace(req),
      (req.body as { lexicons?: unknown } | undefined)?.lexicons,
    );
    const request = lexicon ? { ...parsed, lexicon } : parsed;
    const body = req.body as Record<string, unknown>;
    const klass = parsePriority(body.priority) ?? priority;
    // Rejects text with nothing to speak before anything is queued; the count seeds progress.
    const chunks = prepareInput(request.text, {
      ...this.roster.chunkPlan(request.engine),
      ssml: request.ssml,
      lexicon: request.lexicon?.entries,
    });
    // The audio its SSML breaks alone make: over JOB_MAX_AUDIO_SECONDS it is refused now, not cut later.
    const audioMs = assertAudioBound(chunks, this.jobs.config.jobMaxAudioSeconds);
    const webhookUrl = await this.webhookUrl(body);
    const caller = callerOf(req);
    const key = Idempotency.keyOf(req.headers['idempotency-key']);
    const hash = key === undefined ? undefined : requestPrint(req.path, req.body);
    const recount = (plan: ChunkPlan) =>
      prepareInput(request.text, { ...plan, ssml: request.ssml, lexicon: request.lexicon?.entries }).length;
    const opts = {
      requestId: req.id,
      chunks: chunks.length,
      recount,
      webhookUrl,
      tenant: caller.tenant,
      priority: klass,
    };
    if (key === undefined || hash === undefined) {
      const prepared = await this.jobs.prepare(request, opts);
      const chars = countChars(request.text);
      await this.quotas?.reserve(caller, chars, prepared.id, { audioMs });
      try {
        const { record } = await this.jobs.create(prepared, {
          useCache: true,
          abandoned: req.redisGaveUp,
          waitedMs: req.redisWaitedMs,
        });
        return { id: prepared.id, replayed: false, record };
      } catch (err) {
        await this.quotas?.refund(caller, chars, prepared.id).catch(() => undefined);
        throw err;
      }
    }
    const prior = await this.idempotency.existing(caller.tenant, key, hash);
    if (prior) return { id: await this.complete(caller.tenant, key, prior), replayed: true };
    const prepared = await this.jobs.prepare(request, opts);
    const chars = countChars(request.text);
    await this.quotas?.reserve(caller, chars, prepared.id, { audioMs });
    if (!(await this.idempotency.claim(caller.tenant, key, hash, prepared))) {
      // Another request with this key claimed it first: this one is its repeat.
      await this.quotas?.refund(caller, chars, prepared.id);
      const winner = await this.idempotency.existing(caller.tenant, key, hash);
      if (!winner)
        throw new AppError('idempotency_conflict', 'Idempotency-Key expired mid-request; retry', { status: 409 });
      return { id: await this.complete(caller.tenant, key, winner), replayed: true };
    }
    // From here a crash is harmless: a retry with the same key finds the claim and creates its job.
    const { record } = await this.jobs.create(prepared, {
      useCache: false,
      abandoned: req.redisGaveUp,
      waitedMs: req.redisWaitedMs,
    });
    await this.idempotency.created(caller.tenant, key, { ...hash, jobId: prepared.id }).catch(() => undefined);
    return { id: prepared.id, replayed: false, record };
  }

  /** The job of an earlier request with this key, created now if that request died before it could. */
  private async complete(tenant: string, key: string, record: ClaimRecord): Promise<string> {
    if (!record.job) return record.created ? record.jobId : this.replayed(record.jobId);
    // Never re-create a job that existed and was canceled or expired since.
    // A job that exists is passed on too: create() then only completes its index entries.
    // create() leaves an existing record as it is (and queues its work again only while it is queued).
    if ((await this.jobs.records.queueOf(record.jobId)) || !(await this.jobs.known(record.jobId)))
      await this.jobs.create(record.job, { useCache: false });
    await this.idempotency.created(tenant, key, record).catch(() => undefined);
    return record.jobId;
  }

  /** The job of an earlier request with the same key; a concurrent first request may still be queuing it. */
  private async replayed(id: string): Promise<string> {
    // Woken when the record appears (its creation is a change like any other).
    const found = () =>
      this.jobs.get(id).then(
        () => true,
        (err) => (err as AppError).status !== 404,
      );
    await this.jobs.watcher.until(id, found, (yes) => yes, REPLAY_WAIT_MS);
    await this.jobs.get(id); // 404 if it never appeared, 410 for an expired one
    return id;
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

/** `priority`: unset, or one of PRIORITIES. */
export function parsePriority(raw: unknown): Priority | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !(PRIORITIES as readonly string[]).includes(raw)) {
    throw new AppError('invalid_request', `"priority" must be one of ${PRIORITIES.join(', ')}`, {
      status: 400,
      details: { field: 'priority', allowed: PRIORITIES },
    });
  }
  return raw as Priority;
}
