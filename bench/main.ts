/**
 * `npm run bench -- <mode> [args]`: benchmarks, not timed tests; each mode prints a report.
 * Add a mode by adding an entry to MODES (a module exporting `run(args)`).
 */
const MODES: Record<string, { about: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  engine: { about: 'engine <name>: real-time factor, latency p50/p95, engine time vs model time', load: () => import('./engine.js') },
};

const [mode, ...args] = process.argv.slice(2);
const entry = mode ? MODES[mode] : undefined;
if (!entry) {
  process.stderr.write(`Usage: npm run bench -- <mode> [args]\nModes:\n${Object.entries(MODES).map(([k, m]) => `  ${k.padEnd(8)} ${m.about}`).join('\n')}\n`);
  process.exit(2);
}
try {
  await (await entry.load()).run(args);
  process.exit(0);
} catch (err) {
  process.stderr.write(`bench ${mode}: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
}
