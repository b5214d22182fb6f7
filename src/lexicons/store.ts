import type { Redis } from 'ioredis';
import { AppError, notFound } from '../domain/errors.js';
import { type AppliedLexicons, LEXICON_LIMITS, LEXICON_NAME, type LexiconEntry } from './lexicon.js';

export interface StoredLexicon {
  name: string;
  /** Goes up by one on every PUT: part of the result-cache key of the jobs that use it. */
  version: number;
  updatedAt: string;
  entries: LexiconEntry[];
}

const badName = (name: string) =>
  new AppError(
    'invalid_request',
    `Lexicon names are 1–64 of a-z, 0-9, "_" and "-": ${JSON.stringify(name.slice(0, 80))}`,
    {
      status: 400,
      details: { field: 'name' },
    },
  );

/**
 * How long this process trusts its copy of a namespace's default lexicon name. Looking it up was a
 * Redis round trip on every submission that names no lexicon (nearly all); another API process's
 * change is seen within this time, this process's own at once.
 */
const DEFAULT_TTL_MS = 1000;

/**
 * Pronunciation lexicons in Redis, one hash per namespace (the client key's
 * name, or one shared namespace when keys are off). A job snapshots the
 * entries it uses, so a later change never alters a queued job.
 */
export class LexiconStore {
  /** Default lexicon name (null: none) per namespace, as read at `at`. */
  private readonly defaults = new Map<string, { name: string | null; at: number }>();
  /** Bumped by every change made here, so a read that raced a change is not kept. */
  private generation = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(ns: string) {
    return `${this.prefix}:lexicons:${ns}`;
  }
  private defaultKey(ns: string) {
    return `${this.prefix}:lexicon-default:${ns}`;
  }
  private versionKey(ns: string) {
    return `${this.prefix}:lexicon-versions:${ns}`;
  }

  async put(ns: string, name: string, entries: LexiconEntry[], makeDefault?: boolean): Promise<StoredLexicon> {
    if (!LEXICON_NAME.test(name)) throw badName(name);
    const exists = await this.redis.hexists(this.key(ns), name);
    if (!exists && (await this.redis.hlen(this.key(ns))) >= LEXICON_LIMITS.perTenant)
      throw new AppError('too_many_lexicons', `At most ${LEXICON_LIMITS.perTenant} lexicons: delete one first`, {
        status: 409,
        details: { max_lexicons: LEXICON_LIMITS.perTenant },
      });
    // Versions are never reused, even after a delete, so a cache key never meets different entries.
    const version = await this.redis.hincrby(this.versionKey(ns), name, 1);
    const stored: StoredLexicon = { name, version, updatedAt: new Date().toISOString(), entries };
    await this.redis.hset(this.key(ns), name, JSON.stringify(stored));
    if (makeDefault === true) await this.redis.set(this.defaultKey(ns), name);
    if (makeDefault === false && (await this.redis.get(this.defaultKey(ns))) === name)
      await this.redis.del(this.defaultKey(ns));
    this.forgetDefault(ns);
    return stored;
  }

  async get(ns: string, name: string): Promise<StoredLexicon> {
    const raw = LEXICON_NAME.test(name) ? await this.redis.hget(this.key(ns), name) : null;
    if (!raw) throw notFound(`No lexicon named ${JSON.stringify(name.slice(0, 80))}`);
    return JSON.parse(raw) as StoredLexicon;
  }

  async delete(ns: string, name: string): Promise<void> {
    if (!LEXICON_NAME.test(name) || (await this.redis.hdel(this.key(ns), name)) === 0)
      throw notFound(`No lexicon named ${JSON.stringify(name.slice(0, 80))}`);
    if ((await this.redis.get(this.defaultKey(ns))) === name) await this.redis.del(this.defaultKey(ns));
    this.forgetDefault(ns);
  }

  private forgetDefault(ns: string): void {
    this.generation++;
    this.defaults.delete(ns);
  }

  /** The namespace's default lexicon name, from memory when read less than DEFAULT_TTL_MS ago. */
  private async defaultOf(ns: string): Promise<string | null> {
    const now = Date.now();
    const known = this.defaults.get(ns);
    if (known && now - known.at < DEFAULT_TTL_MS) return known.name;
    const generation = this.generation;
    const name = await this.redis.get(this.defaultKey(ns));
    if (generation === this.generation) this.defaults.set(ns, { name, at: now });
    return name;
  }

  async list(ns: string): Promise<{ default: string | null; lexicons: Omit<StoredLexicon, 'entries'>[] }> {
    const [all, def] = await Promise.all([this.redis.hvals(this.key(ns)), this.redis.get(this.defaultKey(ns))]);
    const lexicons = all
      .map((raw) => JSON.parse(raw) as StoredLexicon)
      .map(({ entries, ...rest }) => ({ ...rest, entries_count: entries.length }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { default: def, lexicons };
  }

  /** The lexicons a request names (or the default when it names none), ready to go into the job. */
  async resolve(ns: string, names: unknown): Promise<AppliedLexicons | undefined> {
    if (names !== undefined && names !== null && (!Array.isArray(names) || names.some((n) => typeof n !== 'string')))
      throw new AppError('invalid_request', '"lexicons" must be a list of lexicon names', {
        status: 400,
        details: { field: 'lexicons' },
      });
    let list = (names as string[] | undefined | null) ?? [];
    if (list.length > LEXICON_LIMITS.perJob)
      throw new AppError('invalid_request', `A request may name at most ${LEXICON_LIMITS.perJob} lexicons`, {
        status: 400,
        details: { field: 'lexicons', max: LEXICON_LIMITS.perJob },
      });
    if (names === undefined || names === null) {
      const def = await this.defaultOf(ns);
      list = def ? [def] : [];
    }
    if (list.length === 0) return undefined;
    const found = await Promise.all(list.map((n) => this.get(ns, n)));
    return { used: found.map((l) => `${l.name}@${l.version}`), entries: found.flatMap((l) => l.entries) };
  }
}
