/** Shared shapes of a synthesis job as it travels API → queue → worker → API. */
import type { JobTimings } from './timing.js';
import type { AppliedLexicons } from '../lexicons/lexicon.js';

export const FORMATS = ['wav', 'mp3', 'opus', 'flac', 'pcm'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * Formats whose header holds the length: it is written as "unknown" while the audio is made and
 * patched when the file is finished, so only the finished file has the real one.
 */
export const HEADER_PATCHED_FORMATS: ReadonlySet<Format> = new Set<Format>(['wav', 'flac']);

export const ENGINE_CHOICES = ['auto', 'primary', 'backup'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
export type Route = 'primary' | 'backup';

export const CONTENT_TYPES: Record<Format, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  opus: 'audio/ogg; codecs=opus',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};

/** The storage key of a job's audio. Derived from the job id, so a retried job overwrites its own file. */
export const audioKey = (jobId: string, format: string): string => `${jobId}.${format}`;

/** What the client asked for, after validation. */
export interface SynthesisRequest {
  text: string;
  voice: string;
  speed: number;
  format: Format;
  engine: EngineChoice;
  /** Output sample rate the client asked for; unset: the engine's (Opus is always 48 kHz). */
  sampleRate?: number;
  /** The client asked for captions: the job view and webhook event link to them. */
  captions?: boolean;
  /** The text is SSML (asked for with `text_type`, or it starts with `<speak`). */
  ssml?: boolean;
  /** SSML read only in part: unsupported elements, read as text (shown in the job view). */
  warnings?: string[];
  /** Characters spoken, when they differ from the text's (SSML: counted after markup). */
  spokenChars?: number;
  /** Pronunciation lexicons applied (a snapshot taken at submit: later edits never change this job). */
  lexicon?: AppliedLexicons;
}

/**
 * Scheduling classes. `interactive` (/api/tts, /v1/audio/speech, or asked for) is taken before
 * `normal` (the /api/jobs default), which is taken before `bulk`; a bulk job that waited
 * BULK_PROMOTE_AFTER_MS is raised to normal, so bulk work is never starved.
 */
export const PRIORITIES = ['interactive', 'normal', 'bulk'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** BullMQ priority of each class (lower runs first; 0, used by health probes, runs before all). */
export const BULLMQ_PRIORITY: Record<Priority, number> = { interactive: 1, normal: 2, bulk: 3 };

/** The tenant every job belongs to when no keys are configured (the service is then one tenant). */
export const ANONYMOUS = 'anonymous';

/** BullMQ job data. */
export interface JobData {
  request: SynthesisRequest;
  /** The tenant (key name) that submitted the job; unset on jobs from before tenants existed (anonymous). */
  tenant?: string;
  /** Scheduling class; unset on older jobs (normal). */
  priority?: Priority;
  /** The role the router picked and the engine behind it at submit time. */
  route: Route;
  engine: string;
  requestId?: string;
  /** Set when an `auto` job was moved off a failing primary onto the backup. */
  fallback?: { from: string; reason: string; at: number };
  /** Where the job's terminal event is POSTed (checked against SSRF at submit and at delivery). */
  webhook?: { url: string };
}

export interface JobProgress {
  /** Furthest chunk count any attempt reached: what clients see, so it never goes backwards. */
  chunksDone: number;
  chunksTotal: number;
  /** The attempt running (1 for the first), and how many chunks it has done itself. */
  attempt?: number;
  attemptChunksDone?: number;
  /** Bytes of the partial audio file that are complete (for streaming responses). */
  bytes?: number;
  /** Name of the partial file in Storage's temp area while the job runs. */
  part?: string;
}

/** Reference to stored audio; the bytes live in Storage, never in Redis. */
export interface AudioRef {
  key: string;
  contentType: string;
  bytes: number;
  durationMs: number;
  sampleRate: number;
  /** Hex sha256 of the stored file. */
  sha256?: string;
}

/** BullMQ job return value. */
export interface JobResult {
  audio: AudioRef;
  engine: string;
  worker: string;
  chunks: number;
  /** Wall time of the synthesis attempt that succeeded. */
  startedAt: number;
  finishedAt: number;
  synthesisMs: number;
  /** Served from the result cache: no synthesis ran for this job. */
  cached?: boolean;
  /** Where each chunk (and, where the engine reports them, each word) lies in the audio. */
  timings?: JobTimings;
}

/** Returned by a primary copy whose work moved to the backup queue (same job id there). */
export interface MovedResult {
  moved: { to: Route; engine: string; reason: string };
}

/** Returned by a health probe: audio is made and discarded. */
export interface ProbeResult {
  probe: true;
  ms: number;
  samples: number;
}

/** Returned by a job a client canceled while it ran: no audio was stored. */
export interface CanceledResult {
  canceled: { at: number; chunksDone: number };
}

/** Returned by an attempt that had nothing to do (the job had ended, moved, or its record expired). */
export interface SkippedResult {
  skipped: string;
}

export type JobOutcome = JobResult | MovedResult | ProbeResult | CanceledResult | SkippedResult;

export const isCanceled = (r: unknown): r is CanceledResult => typeof r === 'object' && r !== null && 'canceled' in r;

export const isMoved = (r: unknown): r is MovedResult => typeof r === 'object' && r !== null && 'moved' in r;

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
