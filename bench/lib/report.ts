/**
 * Bench reports: each mode measures into a Section; a report is one or more sections written as
 * bench/results/<name>-<ISO date>.json and .md, with the summary also printed to stdout.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';

/** One target of the issue, and whether this run met it (null: not measured). */
export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
  /** Reported for information; there is no goal to meet. */
  info?: boolean;
}

/** What one mode measured: raw numbers for the JSON, a Markdown body for people. */
export interface Section {
  mode: string;
  title: string;
  data: unknown;
  markdown: string;
  targets: Target[];
  notes: string[];
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  totalMemoryMiB: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
}

export function machine(): Machine {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) model = line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux: os.cpus() is as good as it gets
  }
  return {
    nproc: cpus().length,
    cpuModel: model,
    totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg(),
  };
}

function loadavg(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

/** Markdown table from a header row and body rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const mark = (t: Target) => (t.info ? 'info' : t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met');

/** Write `<name>-<date>.json` and `.md` under bench/results and print the Markdown. */
export function writeReport(
  name: string,
  sections: Section[],
  opts: { quick: boolean; startedAt: Date; machine: Machine; args: string[] },
): { json: string; md: string } {
  const m = opts.machine;
  const finishedAt = new Date();
  const targets = sections.flatMap((s) => s.targets);
  const stamp = opts.startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const dir = resolve('bench/results');
  mkdirSync(dir, { recursive: true });
  const base = resolve(dir, `${name}${opts.quick ? '-quick' : ''}-${stamp}`);
  const header = [
    `# Tandem TTS bench: ${name}${opts.quick ? ' (--quick)' : ''}`,
    '',
    table(
      ['machine', 'value'],
      [
        ['date', opts.startedAt.toISOString()],
        ['duration', `${((finishedAt.getTime() - opts.startedAt.getTime()) / 1000).toFixed(0)} s`],
        ['nproc', m.nproc],
        ['CPU', m.cpuModel],
        ['total memory', `${m.totalMemoryMiB} MiB`],
        ['node', m.node],
        ['load average at start (1/5/15 min)', m.loadAverageAtStart.join(' / ')],
        ['load average at end', loadavg().join(' / ')],
      ],
    ),
    '',
    '## Targets',
    '',
    targets.length
      ? table(
          ['target', 'goal', 'measured', 'result'],
          targets.map((t) => [t.name, t.goal, t.measured, mark(t)]),
        )
      : '(none in this mode)',
    '',
  ];
  const body = sections.flatMap((s) => [
    `## ${s.title}`,
    '',
    s.markdown,
    '',
    ...s.notes.map((n) => `- ${n}`),
    ...(s.notes.length ? [''] : []),
  ]);
  const md = [...header, ...body].join('\n');
  const json = {
    name,
    quick: opts.quick,
    args: opts.args,
    startedAt: opts.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: m,
    targets,
    sections: sections.map(({ markdown: _md, ...s }) => s),
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, md);
  process.stdout.write(`\n${md}\n\nWrote ${base}.json and .md\n`);
  return { json: `${base}.json`, md: `${base}.md` };
}
