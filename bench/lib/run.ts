/** Runs one or more measuring modes and writes their report, even when one of them fails. */
import { machine, writeReport, type Section } from './report.js';

export interface ModeOpts {
  /** `--quick`: a smoke run of a few seconds per mode instead of the full measurement. */
  quick: boolean;
  args: string[];
}

export type Measure = (opts: ModeOpts) => Promise<Section>;

export const parseOpts = (args: string[]): ModeOpts => ({ quick: args.includes('--quick'), args });

/** Measure each mode in turn, write `<name>-<date>.{json,md}`; throws afterwards if any mode failed. */
export async function runAndReport(
  name: string,
  modes: { mode: string; measure: Measure }[],
  args: string[],
): Promise<void> {
  const opts = parseOpts(args);
  const startedAt = new Date();
  const atStart = machine();
  const sections: Section[] = [];
  const failed: string[] = [];
  for (const { mode, measure } of modes) {
    const t0 = performance.now();
    process.stderr.write(`\n== bench ${mode}${opts.quick ? ' (--quick)' : ''} ==\n`);
    try {
      sections.push(await measure(opts));
    } catch (err) {
      failed.push(mode);
      const msg = (err as Error).stack ?? String(err);
      process.stderr.write(`bench ${mode} failed: ${msg}\n`);
      sections.push({
        mode,
        title: `${mode}: FAILED`,
        data: { error: String((err as Error).message ?? err) },
        markdown: `\`\`\`\n${msg.slice(0, 2000)}\n\`\`\``,
        targets: [],
        notes: [],
      });
    }
    process.stderr.write(`== ${mode} took ${((performance.now() - t0) / 1000).toFixed(0)} s ==\n`);
  }
  writeReport(name, sections, { quick: opts.quick, startedAt, machine: atStart, args });
  if (failed.length) throw new Error(`modes failed: ${failed.join(', ')}`);
}

/** Progress on stderr, so stdout carries only the summary. */
export const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};
