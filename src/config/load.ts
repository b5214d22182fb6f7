import { join } from 'node:path';
import { redisCrossProblems } from './redis-settings.js';
import { settings, type Config, type Setting } from './schema.js';

/** Thrown when settings are invalid; the message lists every problem. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parse the environment once into a typed Config, failing with every problem at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[spec.env];
    const value = raw === undefined || raw === '' ? spec.default : raw;
    const parsed = spec.schema.safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      const shown = spec.secret || /KEY|SECRET|TOKEN|PASSWORD/.test(spec.env) ? '<hidden>' : JSON.stringify(raw);
      problems.push(`${spec.env}=${shown}: ${why}. ${spec.description}`);
    }
  }
  problems.push(...redisCrossProblems(env, out));
  if (problems.length) throw new ConfigError(problems);
  // Audio is local state like Redis: it follows DATA_DIR unless OUTPUT_DIR says otherwise.
  const parsed = out as Omit<Config, 'outputDir'> & { outputDir?: string };
  return { ...parsed, outputDir: parsed.outputDir ?? join(parsed.dataDir, 'audio') };
}

/** Markdown table of every setting, for the README. */
export function settingsTable(): string {
  const rows = Object.values(settings).map(
    (s) => `| \`${s.env}\` | ${s.default === undefined ? '(unset)' : `\`${s.default}\``} | ${s.description} |`,
  );
  return ['| Setting | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}
