/**
 * `npm run bench -- [mode] [args]`: benchmarks, not timed tests; each mode prints a report, and the
 * service modes also write it to bench/results/. No mode (or only flags) runs `all`.
 * Add a mode by adding an entry to MODES (a module exporting `run(args)`).
 */
const MODES: Record<string, { about: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  all: {
    about: 'all [--quick]: every service mode below in sequence, one report (default; ~10 min, --quick ~2 min)',
    load: () => import('./modes/all.js'),
  },
  service: {
    about: 'service [--quick]: e2e latency per engine and text length vs engine time, overhead ratio, submit-to-start',
    load: () => import('./modes/service.js'),
  },
  submit: {
    about:
      'submit [--quick] [--clients N] [--seconds S] [--rounds R]: sustained POST /api/jobs per second vs bare queue.add, p50/p99, CPU per process',
    load: () => import('./modes/submit.js'),
  },
  cache: {
    about: 'cache [--quick]: cache-hit job latency (or "cache not implemented yet")',
    load: () => import('./modes/cache.js'),
  },
  record: {
    about:
      'record [--quick]: issue 14 targets — Redis commands per job and per cache hit, cache-hit latency, e2e − synthesis, progress → SSE',
    load: () => import('./modes/record.js'),
  },
  scaling: {
    about: 'scaling [--quick]: jobs/s with one worker process against two',
    load: () => import('./modes/scaling.js'),
  },
  soak: {
    about: 'soak [--quick] [--jobs N]: 10,000 jobs, RSS of the API and each worker over time',
    load: () => import('./modes/soak.js'),
  },
  stream: {
    about: 'stream [--quick]: first byte of a streamed 5,000-character Chinese document per format vs a 50-char job',
    load: () => import('./modes/stream.js'),
  },
  priority: {
    about:
      'priority [--quick] [--backlog N]: p50 of a 50-char /api/tts with N bulk jobs waiting ÷ with none (target ≤ 1.5)',
    load: () => import('./modes/priority.js'),
  },
  remote: {
    about: 'remote [--quick] [--rounds N]: an http engine end to end vs the remote server directly (overhead ratio)',
    load: () => import('./modes/remote.js'),
  },
  encoders: {
    about: 'encoders [--quick]: Opus/FLAC/MP3 encode time vs ffmpeg (when installed), event-loop stall while encoding',
    load: () => import('./modes/encoders.js'),
  },
  espeak: {
    about:
      'espeak [--quick]: the espeak-ng engine vs Debian native espeak-ng (when installed), English 200/1,000 chars',
    load: () => import('./modes/espeak-native.js'),
  },
  frontend: {
    about: 'frontend [--quick]: CPU time per 200-character English sentence with and without the part-of-speech tagger',
    load: () => import('./modes/frontend.js'),
  },
  engine: {
    about:
      'engine [kokoro|espeak|both] [--threads N,M] [--runs N]: real-time factor, latency p50/p95, Kokoro model time (session.run), load and warm-up',
    load: () => import('./engine.js'),
  },
};

const argv = process.argv.slice(2);
const [mode, ...args] = argv.length === 0 || argv[0]!.startsWith('--') ? ['all', ...argv] : argv;
const entry = mode === undefined ? undefined : MODES[mode];
if (!entry) {
  process.stderr.write(
    `Usage: npm run bench -- [mode] [args]\nModes:\n${Object.entries(MODES)
      .map(([k, m]) => `  ${k.padEnd(8)} ${m.about}`)
      .join('\n')}\n`,
  );
  process.exit(2);
}
try {
  await (await entry.load()).run(args);
  process.exit(0);
} catch (err) {
  process.stderr.write(`bench ${mode}: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
}
