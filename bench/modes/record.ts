/**
 * `npm run bench -- record [--quick]`: the four targets of the job-record issue (14), side by side in
 * one run, on a Redis server of the bench's own (so INFO commandstats counts this service only):
 *
 * 1. Redis commands per 1-chunk job, POST /api/jobs → one GET of the finished job (commandstats
 *    delta ÷ jobs, background of the same idle service subtracted), with a per-command breakdown;
 * 2. the same per cache hit;
 * 3. cache hit, submit → `succeeded` visible (POST answer, else GET polled without pause);
 * 4. end to end minus the worker's synthesis_ms for a 50-character job, zh and en, waiting three
 *    ways (GET polled every 1 ms, the SSE stream, the synchronous POST /api/tts);
 * 5. delay from a worker's progress write (its change notification, seen by this process's own
 *    subscriber) to the matching `progress` event on an open SSE stream.
 *
 * Jobs of 1 and 2 are waited for on that subscriber, which costs the service no command.
 */
import type { Redis } from 'ioredis';
import { commandCounts, countsDelta, scriptInnerCommandsCounted, total, type Counts } from '../lib/commandstats.js';
import { JobChanges } from '../lib/job-changes.js';
import { startPrivateRedis } from '../lib/private-redis.js';
import { type Traced, traceCommands, traceTable } from '../lib/redis-trace.js';
import { table, type Section, type Target } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import {
  http,
  REDIS_URL,
  sleep,
  submitJob,
  waitJob,
  withService,
  type JobBody,
  type JobJson,
  type Service,
} from '../lib/service.js';
import { jobEvents } from '../lib/sse.js';
import { fmt, summarize, type Summary } from '../lib/stats.js';
import { textOf } from '../texts.js';

/** Figures of the old code (issue 14, measured 2026-11-30). */
const BEFORE = { commandsPerJob: 96, commandsPerHit: 81, hitVisibleP50: 5.9 };
const CACHE_ON = '1073741824';

interface CommandCost {
  jobs: number;
  /** Commands per job, background subtracted, per command and in total. */
  perJob: number;
  byCommand: [string, number][];
  /** Background (idle service) commands per second, and how many were subtracted per job. */
  backgroundPerSecond: number;
  backgroundPerJob: number;
  windowMs: number;
}

async function window(redis: Redis, fn: () => Promise<void>): Promise<{ delta: Counts; ms: number }> {
  const before = await commandCounts(redis);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  return { delta: countsDelta(before, await commandCounts(redis)), ms };
}

/**
 * Commands `once` costs on average over `n` calls: an idle window, the calls, an idle window as long
 * as the calls took; the idle rate (per command) times the calls' duration is subtracted.
 */
async function commandsPer(
  redis: Redis,
  n: number,
  idleMs: number,
  once: (i: number) => Promise<void>,
): Promise<CommandCost> {
  const idle1 = await window(redis, async () => {
    await sleep(idleMs);
  });
  const busy = await window(redis, async () => {
    for (let i = 0; i < n; i++) await once(i);
  });
  const idle2 = await window(redis, async () => {
    await sleep(Math.max(idleMs, busy.ms));
  });
  const idleMsAll = idle1.ms + idle2.ms;
  const rate = new Map<string, number>();
  for (const d of [idle1.delta, idle2.delta]) for (const [k, v] of d) rate.set(k, (rate.get(k) ?? 0) + v / idleMsAll);
  const per = new Map<string, number>();
  for (const k of new Set([...busy.delta.keys(), ...rate.keys()])) {
    const v = ((busy.delta.get(k) ?? 0) - (rate.get(k) ?? 0) * busy.ms) / n;
    if (Math.abs(v) >= 0.005) per.set(k, v);
  }
  const bgPerMs = [...rate.values()].reduce((a, b) => a + b, 0);
  return {
    jobs: n,
    perJob: (total(busy.delta) - bgPerMs * busy.ms) / n,
    byCommand: [...per].sort((a, b) => b[1] - a[1]),
    backgroundPerSecond: bgPerMs * 1000,
    backgroundPerJob: (bgPerMs * busy.ms) / n,
    windowMs: busy.ms,
  };
}

async function getJob(svc: Service, id: string): Promise<JobJson> {
  const r = await http('GET', `${svc.base}/api/jobs/${id}`);
  if (r.status !== 200) throw new Error(`GET /api/jobs/${id} answered ${r.status}: ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as JobJson;
}

/** Submit, wait on the change channel (no command), then one GET of the finished job. */
async function jobOnce(svc: Service, changes: JobChanges, body: JobBody): Promise<JobJson> {
  const sub = await submitJob(svc.base, body);
  if (sub.status !== 'succeeded') await changes.final(sub.id);
  const job = await getJob(svc, sub.id);
  if (job.status !== 'succeeded') throw new Error(`job ${sub.id} ended ${job.status}: ${job.error?.message ?? ''}`);
  return job;
}

const uniqueText = (i: number) => `Record bench job ${i}, one short sentence.`;

interface HitLatency {
  ms: Summary;
  /** GET /api/jobs/:id of the same finished job right after: the API's floor (HTTP, one record read). */
  getMs: Summary;
  postSucceeded: number;
  reps: number;
  misses: number;
}

/** Cache hit: submit start → first answer showing `succeeded` (the POST's, or GETs polled back to back). */
async function hitLatency(svc: Service, body: JobBody, reps: number): Promise<HitLatency> {
  const ms: number[] = [];
  const getMs: number[] = [];
  let postSucceeded = 0;
  let misses = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const sub = await submitJob(svc.base, body);
    let seen = performance.now();
    let job: JobJson | undefined;
    if (sub.status === 'succeeded') postSucceeded++;
    else
      for (;;) {
        job = await getJob(svc, sub.id);
        seen = performance.now();
        if (job.status === 'succeeded') break;
        if (seen - t0 > 30_000) throw new Error(`cache hit ${sub.id} still ${job.status} after 30 s`);
      }
    const g0 = performance.now();
    job = await getJob(svc, sub.id);
    getMs.push(performance.now() - g0);
    if (job.cached !== true) misses++;
    ms.push(seen - t0);
  }
  return { ms: summarize(ms), getMs: summarize(getMs), postSucceeded, reps, misses };
}

type Way = 'poll' | 'sse' | 'sync';
const WAYS: Way[] = ['poll', 'sse', 'sync'];

/** End to end minus the worker's synthesis_ms for one job, waited for one way. */
async function e2eMinusSynthesis(svc: Service, body: JobBody, way: Way): Promise<{ e2e: number; synth: number }> {
  const t0 = performance.now();
  if (way === 'sync') {
    const r = await http('POST', `${svc.base}/api/tts`, body);
    const e2e = performance.now() - t0;
    if (r.status !== 200) throw new Error(`POST /api/tts answered ${r.status}: ${r.body.slice(0, 200)}`);
    const id = String(r.headers['x-job-id'] ?? '');
    const job = await getJob(svc, id);
    return { e2e, synth: job.timings.synthesis_ms ?? NaN };
  }
  const sub = await submitJob(svc.base, body);
  if (way === 'poll') {
    const { job, seenAt } = await waitJob(svc.base, sub.id, { pollMs: 1 });
    return { e2e: seenAt - t0, synth: job.timings.synthesis_ms ?? NaN };
  }
  const events = await jobEvents(svc.base, sub.id);
  const end = events.find((e) => e.event === 'end');
  if (!end) throw new Error(`event stream of ${sub.id} closed without an end event`);
  const job = JSON.parse(end.data) as JobJson;
  if (job.status !== 'succeeded') throw new Error(`job ${sub.id} ended ${job.status}`);
  return { e2e: end.at - t0, synth: job.timings.synthesis_ms ?? NaN };
}

/**
 * Progress delay: open the SSE stream of a multi-chunk job right after submitting it; the last
 * `chunks_total − 1` `running` notifications of the job are its per-chunk progress writes (the first
 * are its start and a possible correction of the total) and its `succeeded` one is the last chunk's,
 * matched to `progress` events by chunk number.
 */
async function progressDelays(
  svc: Service,
  changes: JobChanges,
  body: JobBody,
): Promise<{ delays: number[]; chunks: number }> {
  const sub = await submitJob(svc.base, body);
  const events = await jobEvents(svc.base, sub.id);
  await changes.final(sub.id);
  const progress = events
    .filter((e) => e.event === 'progress')
    .map((e) => ({ at: e.at, ...(JSON.parse(e.data) as { chunks_done: number; chunks_total: number }) }));
  const chunks = progress.at(-1)?.chunks_total ?? 0;
  // The last chunk's progress is the success write itself: `chunks − 1` running writes, then `succeeded`.
  const mine = changes.of(sub.id);
  const running = mine.filter((c) => c.status === 'running');
  const done = mine.filter((c) => c.status === 'succeeded');
  const writes = [...running.slice(Math.max(0, running.length - (chunks - 1))), ...done.slice(0, 1)];
  const delays: number[] = [];
  for (const p of progress) {
    const w = p.chunks_done >= 1 ? writes[p.chunks_done - 1] : undefined;
    if (w) delays.push(p.at - w.at);
  }
  return { delays, chunks };
}

const topRows = (costs: { label: string; cost: CommandCost }[], n = 10): (string | number)[][] => {
  const names = new Map<string, number>();
  for (const { cost } of costs) for (const [k, v] of cost.byCommand) names.set(k, Math.max(names.get(k) ?? 0, v));
  return [...names]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k]) => [k, ...costs.map(({ cost }) => fmt(cost.byCommand.find(([c]) => c === k)?.[1] ?? 0, 2))]);
};

export async function measure(opts: ModeOpts): Promise<Section> {
  const q = opts.quick;
  const nJobs = q ? 10 : 40;
  const idleMs = q ? 2000 : 5000;
  const hitReps = q ? 20 : 100;
  const e2eReps = q ? 5 : 20;
  const progressReps = q ? 3 : 8;
  const notes: string[] = [];

  const own = await startPrivateRedis();
  const redisUrl = own?.url ?? REDIS_URL;
  if (own) log(`record: redis-server ${own.version} of the bench's own at ${own.url}`);
  else
    notes.push(
      "No redis-server installed: measured on the shared REDIS_URL, where other clients' commands inflate the counts.",
    );
  try {
    // A. Cache on (the service's default): commands per job and per hit, hit latency.
    const a = await withService(
      { workers: 1, monitor: true, env: { REDIS_URL: redisUrl, CACHE_MAX_BYTES: CACHE_ON } },
      async (svc) => {
        const probe = await scriptInnerCommandsCounted(svc.redis, svc.prefix);
        const changes = await JobChanges.open(redisUrl, svc.prefix);
        try {
          const miss = (i: number): JobBody => ({ text: uniqueText(i), engine: 'backup', voice: 'female', speed: 1 });
          log('record: warm-up');
          for (let i = 0; i < 3; i++) await jobOnce(svc, changes, miss(-1 - i));
          log(`record: ${nJobs} one-chunk jobs, cache on`);
          const job = await commandsPer(svc.redis, nJobs, idleMs, (i) =>
            jobOnce(svc, changes, miss(i)).then(() => undefined),
          );
          const hitBody = miss(0); // done above: every repeat is a hit
          const check = await jobOnce(svc, changes, hitBody);
          if (check.cached !== true) throw new Error('a repeated request was not a cache hit');
          log(`record: ${nJobs} cache hits`);
          const hit = await commandsPer(svc.redis, nJobs, idleMs, async () => {
            const j = await jobOnce(svc, changes, hitBody);
            if (j.cached !== true) throw new Error(`job ${j.id} was not a cache hit`);
          });
          log(`record: cache-hit latency, ${hitReps} hits`);
          const latency = await hitLatency(svc, hitBody, hitReps);
          // e2e − synthesis with the cache on: every text new (a number in front), waited for on SSE.
          const cacheOnSse: Record<string, number[]> = { zh: [], en: [] };
          for (const lang of ['zh', 'en'] as const)
            for (let rep = -1; rep < e2eReps; rep++) {
              const head = `${rep + 2} `;
              const text = head + textOf(lang, 50 - head.length);
              const r = await e2eMinusSynthesis(svc, { text, engine: 'backup', voice: 'female', speed: 1 }, 'sse');
              if (rep >= 0) cacheOnSse[lang]!.push(r.e2e - r.synth);
            }
          // One of each traced command by command, to show which process spends them.
          const who = new Map<number, string>();
          const label = (pid: number | undefined, name: string) => pid !== undefined && who.set(pid, name);
          label(svc.api.child.pid, 'api');
          for (const w of svc.workers) label(w.child.pid, 'worker');
          label(svc.monitor?.child.pid, 'monitor');
          label(process.pid, 'bench');
          let trace: { miss: Traced[]; hit: Traced[] } | undefined;
          if (own) {
            log('record: tracing one job and one hit with MONITOR');
            const missTrace = await traceCommands(redisUrl, who, async () => {
              await jobOnce(svc, changes, miss(1_000_000));
            });
            const hitTrace = await traceCommands(redisUrl, who, async () => {
              await jobOnce(svc, changes, hitBody);
            });
            trace = { miss: missTrace, hit: hitTrace };
          }
          return { probe, job, hit, latency, trace, cacheOnSse };
        } finally {
          await changes.close();
        }
      },
    );

    // B. Cache off: commands per job without the cache's own work; e2e − synthesis; progress delay.
    const b = await withService(
      { workers: 1, monitor: true, env: { REDIS_URL: redisUrl, CACHE_MAX_BYTES: '0' } },
      async (svc) => {
        const changes = await JobChanges.open(redisUrl, svc.prefix);
        try {
          const body = (text: string): JobBody => ({ text, engine: 'backup', voice: 'female', speed: 1 });
          for (let i = 0; i < 3; i++) await jobOnce(svc, changes, body(uniqueText(i)));
          log(`record: ${nJobs} one-chunk jobs, cache off`);
          const job = await commandsPer(svc.redis, nJobs, idleMs, (i) =>
            jobOnce(svc, changes, body(uniqueText(i))).then(() => undefined),
          );
          changes.clear();
          const e2e: Record<string, Record<Way, { e2e: number[]; minus: number[]; synth: number[] }>> = {};
          for (const lang of ['zh', 'en'] as const) {
            e2e[lang] = {
              poll: { e2e: [], minus: [], synth: [] },
              sse: { e2e: [], minus: [], synth: [] },
              sync: { e2e: [], minus: [], synth: [] },
            };
            const b50 = body(textOf(lang, 50));
            for (let rep = -1; rep < e2eReps; rep++) {
              log(`record: 50 characters ${lang}, ${rep < 0 ? 'warm-up' : `rep ${rep + 1}/${e2eReps}`}`);
              // Interleaved, so load from other people hits the three ways alike.
              for (const way of WAYS) {
                const r = await e2eMinusSynthesis(svc, b50, way);
                if (rep < 0) continue;
                const s = e2e[lang]![way];
                s.e2e.push(r.e2e);
                s.synth.push(r.synth);
                s.minus.push(r.e2e - r.synth);
              }
            }
          }
          const delays: number[] = [];
          let chunks = 0;
          for (let rep = 0; rep < progressReps; rep++)
            for (const lang of ['zh', 'en'] as const) {
              log(`record: progress delay, ${lang} rep ${rep + 1}/${progressReps}`);
              const r = await progressDelays(svc, changes, body(textOf(lang, 1000)));
              delays.push(...r.delays);
              chunks = Math.max(chunks, r.chunks);
            }
          return { job, e2e, progress: { delays: summarize(delays), chunksPerJob: chunks, raw: delays } };
        } finally {
          await changes.close();
        }
      },
    );

    // Report.
    const { probe, job, hit, latency, trace } = a;
    const cacheOnSse = { zh: summarize(a.cacheOnSse.zh ?? []), en: summarize(a.cacheOnSse.en ?? []) };
    const traceLabels = (t: Traced[]) => [
      ...new Set(['api', 'worker', 'monitor', ...t.map((x) => x.by).filter((b) => b !== 'bench'), 'bench']),
    ];
    const e2eSum = Object.fromEntries(
      Object.entries(b.e2e).map(([lang, ways]) => [
        lang,
        Object.fromEntries(
          WAYS.map((w) => [
            w,
            { e2e: summarize(ways[w].e2e), synth: summarize(ways[w].synth), minus: summarize(ways[w].minus) },
          ]),
        ) as Record<Way, { e2e: Summary; synth: Summary; minus: Summary }>,
      ]),
    );
    const pd = b.progress.delays;
    // Faster than the API could read the record and write the event: both were read in one turn of this loop.
    const sameTurn = b.progress.raw.filter((d) => d < 0.2);
    const others = b.progress.raw.filter((d) => d >= 0.2);
    const targets: Target[] = [
      {
        name: 'Redis commands per 1-chunk job (submit → one GET)',
        goal: `≤ ${BEFORE.commandsPerJob / 2} (half of ~${BEFORE.commandsPerJob})`,
        measured: `${fmt(job.perJob)} (cache off ${fmt(b.job.perJob)}); ratio to before ${fmt(job.perJob / BEFORE.commandsPerJob, 2)}`,
        met: job.perJob <= BEFORE.commandsPerJob / 2,
      },
      {
        name: 'Redis commands per cache hit',
        goal: `≤ ${fmt(BEFORE.commandsPerHit / 4, 2)} (a quarter of ~${BEFORE.commandsPerHit})`,
        measured: `${fmt(hit.perJob)}; ratio to before ${fmt(hit.perJob / BEFORE.commandsPerHit, 2)}`,
        met: hit.perJob <= BEFORE.commandsPerHit / 4,
      },
      {
        name: 'cache hit, submit → succeeded visible, p50',
        goal: '≤ 2 ms',
        measured: `${fmt(latency.ms.p50, 2)} ms (p95 ${fmt(latency.ms.p95, 2)}); before ${BEFORE.hitVisibleP50} ms`,
        met: latency.ms.p50 <= 2,
      },
      ...(['zh', 'en'] as const).map(
        (lang): Target => ({
          name: `e2e − synthesis_ms, 50 characters ${lang}, p50 (SSE wait)`,
          goal: '≤ 5 ms',
          measured: `${WAYS.map((w) => `${w} ${fmt(e2eSum[lang]![w].minus.p50, 1)}`).join(', ')} ms`,
          met: e2eSum[lang]!.sse.minus.p50 <= 5,
        }),
      ),
      {
        name: 'progress write → SSE progress event, p50',
        goal: '≤ 10 ms',
        measured: `${fmt(pd.p50, 2)} ms (p95 ${fmt(pd.p95, 2)}, n ${pd.n})`,
        met: pd.p50 <= 10,
      },
    ];
    notes.push(
      `Script check on this server: an EVAL running SET, GET and DEL moved commandstats by ${probe.delta} (EVAL + inner commands): ` +
        (probe.counted
          ? 'commands run inside scripts are counted under their own names, so the totals include them.'
          : 'inner commands were NOT counted; the totals count each script as one command.'),
      `Commands: INFO commandstats summed over all commands (the bench's INFO left out), delta over ${nJobs} sequential jobs ÷ ${nJobs}; ` +
        'the service (API, one espeak worker, monitor) idle before and after, as long as the jobs took, is the background subtracted. ' +
        "Jobs are waited for on the bench's own subscriber to the changes channel (no command), then read once with GET.",
      `Cache-hit latency: ${latency.postSucceeded} of ${latency.reps} POST answers already said succeeded; ${latency.misses} were not hits.`,
      "e2e − synthesis: POST → final status seen, minus the view's timings.synthesis_ms (worker-side, whole ms); ways interleaved: " +
        'poll = GET every 1 ms; sse = GET /api/jobs/:id/events opened after the POST answer, `end` event; sync = POST /api/tts. ' +
        'Cache off (as in the service mode), except the last row of each language: the service default, with a text never seen before.',
      `Progress delay: ${progressReps} zh and ${progressReps} en jobs of 1,000 characters (${b.progress.chunksPerJob} chunks at most), SSE opened after the POST; ` +
        "the write time is the arrival of its change notification on the bench's own subscriber (same process clock). " +
        `${sameTurn.length} of ${pd.n} readings are under 0.2 ms: the bench was not scheduled while both arrived and read them in one turn, ` +
        `so those are lower bounds; the p50 of the others is ${fmt(summarize(others).p50, 2)} ms.`,
    );
    const costCols = [
      { label: 'per job, cache on', cost: job },
      { label: 'per job, cache off', cost: b.job },
      { label: 'per cache hit', cost: hit },
    ];
    const markdown = [
      table(
        ['commands', ...costCols.map((c) => c.label)],
        [
          ['total (background subtracted)', ...costCols.map((c) => fmt(c.cost.perJob, 1))],
          ['before (issue 14)', BEFORE.commandsPerJob, '–', BEFORE.commandsPerHit],
          ['background subtracted per job', ...costCols.map((c) => fmt(c.cost.backgroundPerJob, 2))],
          ['background, commands/s', ...costCols.map((c) => fmt(c.cost.backgroundPerSecond, 1))],
          ...topRows(costCols),
        ],
      ),
      '',
      table(
        ['cache hit visible', 'n', 'p50 ms', 'p95 ms', 'max ms', 'POST already succeeded'],
        [
          [
            'GET of the finished job (floor)',
            latency.getMs.n,
            fmt(latency.getMs.p50, 2),
            fmt(latency.getMs.p95, 2),
            fmt(latency.getMs.max, 2),
            '',
          ],
          [
            'submit → succeeded',
            latency.ms.n,
            fmt(latency.ms.p50, 2),
            fmt(latency.ms.p95, 2),
            fmt(latency.ms.max, 2),
            `${latency.postSucceeded}/${latency.reps}`,
          ],
        ],
      ),
      '',
      table(
        ['50 chars', 'wait', 'e2e p50 ms', 'synthesis_ms p50', 'e2e − synthesis p50', 'p95'],
        (['zh', 'en'] as const).flatMap((lang) => [
          ...WAYS.map((w) => {
            const s = e2eSum[lang]![w];
            return [lang, w, fmt(s.e2e.p50, 1), fmt(s.synth.p50, 0), fmt(s.minus.p50, 1), fmt(s.minus.p95, 1)];
          }),
          [lang, 'sse, cache on (new texts)', '', '', fmt(cacheOnSse[lang].p50, 1), fmt(cacheOnSse[lang].p95, 1)],
        ]),
      ),
      '',
      table(
        ['progress → SSE', 'n', 'p50 ms', 'p95 ms', 'max ms'],
        [['delay', pd.n, fmt(pd.p50, 2), fmt(pd.p95, 2), fmt(pd.max, 2)]],
      ),
      ...(trace
        ? (['miss', 'hit'] as const).flatMap((k) => {
            const labels = traceLabels(trace[k]);
            return [
              '',
              `One ${k === 'miss' ? '1-chunk job (cache on)' : 'cache hit'} traced with MONITOR, by process (background of the same ~0.1 s included):`,
              '',
              table(['command', ...labels], traceTable(trace[k], labels).slice(0, 26)),
            ];
          })
        : []),
    ].join('\n');
    return {
      mode: 'record',
      title: 'Job record (issue 14): Redis commands, cache hits, e2e overhead, progress push',
      data: {
        redis: own ? { own: true, version: own.version } : { own: false },
        scriptProbe: probe,
        before: BEFORE,
        commands: { cacheOn: job, cacheOff: b.job, cacheHit: hit },
        cacheHitLatency: latency,
        trace: trace && {
          miss: traceTable(trace.miss, traceLabels(trace.miss)),
          hit: traceTable(trace.hit, traceLabels(trace.hit)),
          // `*`: run inside a script; the key with the service's prefix cut off.
          missSequence: trace.miss.map(
            (t) => `${t.by}: ${t.lua ? '  ' : ''}${t.command}${t.lua ? '*' : ''} ${t.key.replace(/^[^:]*:/, '')}`,
          ),
          hitSequence: trace.hit.map(
            (t) => `${t.by}: ${t.lua ? '  ' : ''}${t.command}${t.lua ? '*' : ''} ${t.key.replace(/^[^:]*:/, '')}`,
          ),
        },
        e2eMinusSynthesis: e2eSum,
        e2eMinusSynthesisCacheOnSse: cacheOnSse,
        progressDelay: { ...b.progress },
      },
      markdown,
      targets,
      notes,
    };
  } finally {
    await own?.stop();
  }
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('record', [{ mode: 'record', measure }], args);
}
