/**
 * The Docker Compose deployment, checked statically (no Docker engine needed): docker-compose.yml,
 * the Dockerfile, deploy/prometheus and deploy/grafana against the code's settings, entry points
 * and registered metrics. Reads files only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bindPolicy } from '../../src/api/auth.js';
import { WEB_ROOT } from '../../src/api/web/index.js';
import { argValue } from '../../src/cli/main-helpers.js';
import { loadConfig } from '../../src/config/load.js';
import { settings, type Config, type Setting } from '../../src/config/schema.js';
import { isKnownEngine } from '../../src/engines/registry.js';
import { Metrics } from '../../src/observability/metrics.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
// Compose files may use YAML merge keys (`<<: *anchor`), which Docker Compose supports.
const readYaml = (p: string) => parse(read(p), { merge: true });

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { target: number; published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  depends_on?: string[] | Record<string, unknown>;
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The Tandem processes compose runs, and the entry point (src/cli/<x>.ts) each must run. */
const NODE_SERVICES = {
  api: 'api',
  'worker-primary': 'worker',
  'worker-backup': 'worker',
  monitor: 'monitor',
} as const;
type NodeService = keyof typeof NODE_SERVICES;
const WORKERS: NodeService[] = ['worker-primary', 'worker-backup'];
const SETTINGS = new Map(Object.values(settings).map((s) => [s.env, s as Setting<unknown>]));

const compose = readYaml('docker-compose.yml') as Compose;
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/** Compose variable substitution with nothing set in the shell: `${X:-d}`/`${X-d}` → d, `${X}` → ''. */
function interpolate(value: string, shell: Env = {}): string {
  return value
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op?: string, word = '') => {
      const v = shell[name];
      if (op === ':-') return v ? v : word;
      if (op === '-') return v ?? word;
      if (op === ':?' || op === '?') {
        if (v === undefined || (op === ':?' && v === '')) throw new Error(`${name} is required: ${word}`);
        return v;
      }
      return v ?? '';
    })
    .replace(/\$\$/g, '$');
}

function composeEnv(s: Service, shell: Env = {}): Env {
  const raw = s.environment ?? {};
  const entries: [string, string][] = Array.isArray(raw)
    ? raw.map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, shell)]));
}

const commandOf = (s: Service): string[] =>
  Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/).filter(Boolean);

/** `source:target[:mode]` or the long form, as { source, target }. */
function mounts(s: Service): { source: string; target: string }[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target ?? '' };
    const [source = '', target] = v.split(':');
    return target === undefined ? { source: '', target: source } : { source, target };
  });
}
const isNamedVolume = (source: string) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source);

/** `[ip:][host:]container[/proto]` or the long form, as { hostIp, container }. */
function portMappings(s: Service): { hostIp?: string; container: number }[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { hostIp: p.host_ip, container: Number(p.target) };
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    return { hostIp: parts.length === 3 ? parts[0] : undefined, container: Number(parts[parts.length - 1]) };
  });
}

/** Compose durations such as `40s`, `1m30s`, `500ms`, in ms. */
function durationMs(d: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  let rest = d.trim();
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(h|ms|m|s|us)/.exec(rest);
    if (!m) throw new Error(`not a duration: ${d}`);
    total += Number(m[1]) * (units[m[2] ?? ''] ?? Number.NaN);
    rest = rest.slice(m[0].length);
  }
  return total;
}

// --- Dockerfile -----------------------------------------------------------------------------------

interface Instruction {
  cmd: string;
  args: string;
}
/** Instructions per stage (comments dropped, continuation lines joined). */
function dockerStages(text: string): Instruction[][] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of lines) {
    const [, cmd = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (cmd.toUpperCase() === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push({ cmd: cmd.toUpperCase(), args: args.trim() });
  }
  return stages;
}
function envOf(stage: Instruction[]): Env {
  const env: Env = {};
  for (const { cmd, args } of stage) {
    if (cmd !== 'ENV') continue;
    if (!args.includes('=')) {
      const [k = '', ...v] = args.split(/\s+/);
      env[k] = v.join(' ');
      continue;
    }
    for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  }
  return env;
}
const dockerfile = dockerStages(read('Dockerfile'));
const runtime = dockerfile.at(-1) ?? [];
const workdir = runtime.filter((i) => i.cmd === 'WORKDIR').at(-1)?.args ?? '/';
const imageEnv = envOf(runtime);

// --- what each Tandem service runs with ------------------------------------------------------------

/** The environment a service's process sees: the image's ENV, then compose's environment. */
const effectiveEnv = (name: string, shell: Env = {}): Env => ({ ...imageEnv, ...composeEnv(service(name), shell) });
const configOf = (name: string, shell: Env = {}): Config => loadConfig(effectiveEnv(name, shell));

/** PromQL metric names in an expression (not functions, keywords, labels, durations or strings). */
const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![\w.:$])([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)) {
    if (m[2] || PROMQL_KEYWORDS.has(m[1]!.toLowerCase())) continue;
    names.push(m[1]!);
  }
  return [...new Set(names)];
}

interface Panel {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string } | string | null;
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

// ---------------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('parses and has every service of the deployment', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['redis', 'api', 'worker-primary', 'worker-backup', 'monitor', 'prometheus', 'grafana']),
    );
    // Every service built from this repository is a Tandem process these tests know about.
    const built = Object.entries(compose.services)
      .filter(([, s]) => s.build !== undefined)
      .map(([n]) => n);
    expect(built.sort()).toEqual(Object.keys(NODE_SERVICES).sort());
  });

  it('runs Redis with AOF on a volume at /data', () => {
    const redis = service('redis');
    const cmd = commandOf(redis);
    expect(cmd[0]).toBe('redis-server');
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    const data = mounts(redis).find((m) => m.target === '/data');
    expect(data, 'redis mounts a volume on /data').toBeDefined();
    expect(isNamedVolume(data!.source)).toBe(true);
    expect(compose.volumes).toHaveProperty(data!.source);
  });

  it('builds the Tandem services from this repository, as one image', () => {
    const images = new Set<string | undefined>();
    for (const name of Object.keys(NODE_SERVICES)) {
      const s = service(name);
      const build = typeof s.build === 'string' ? { context: s.build } : (s.build ?? {});
      const context = build.context ?? '.';
      expect(
        existsSync(join(ROOT, context, build.dockerfile ?? 'Dockerfile')),
        `${name}: Dockerfile in ${context}`,
      ).toBe(true);
      images.add(s.image);
    }
    expect(images.size).toBe(1);
  });

  it.each(Object.entries(NODE_SERVICES))(
    '%s runs the compiled entry point of src/cli/%s.ts with valid arguments',
    (name, entry) => {
      const [node, script, ...args] = commandOf(service(name));
      expect(node).toBe('node');
      expect(script).toBe(`dist/cli/${entry}.js`);
      // dist/cli/<x>.js is what `npm run build` (tsconfig.build.json: src → dist) makes of src/cli/<x>.ts.
      const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
      expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
      expect(existsSync(join(ROOT, 'src', 'cli', `${entry}.ts`))).toBe(true);
      // Relative to the image's WORKDIR, where the Dockerfile puts dist/.
      expect(workdir).toBe('/app');
      if (entry === 'worker') {
        const engine = argValue(args, 'engine');
        expect(['primary', 'backup']).toContain(engine);
        expect(name).toBe(`worker-${engine}`);
      } else {
        expect(args).toEqual([]);
      }
    },
  );

  it.each(Object.keys(NODE_SERVICES))(
    '%s: every environment variable is a setting and its value passes the setting',
    (name) => {
      const env = composeEnv(service(name));
      expect(Object.keys(env).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(env)) {
        const spec = SETTINGS.get(key);
        expect(spec, `${name}: ${key} is not a setting in src/config/schema.ts`).toBeDefined();
        // As the loader reads it: an empty value means the default.
        const parsed = spec!.schema.safeParse(value === '' ? spec!.default : value);
        expect(parsed.success, `${name}: ${key}=${JSON.stringify(value)}: ${parsed.error?.message}`).toBe(true);
      }
      // Together with the image's ENV, the whole configuration loads, with nothing set in the shell
      // and with keys filled in (API_KEYS etc. come from the shell or .env).
      expect(() => configOf(name)).not.toThrow();
      const hash = 'a'.repeat(64);
      expect(() => configOf(name, { API_KEYS: `alice:${hash}`, ADMIN_KEYS: `ops:${'b'.repeat(64)}` })).not.toThrow();
    },
  );

  it('the image ENV holds only real settings (besides NODE_ENV and ONNXRUNTIME_NODE_INSTALL)', () => {
    for (const [key, value] of Object.entries(imageEnv)) {
      if (key === 'NODE_ENV' || key === 'ONNXRUNTIME_NODE_INSTALL') continue;
      const spec = SETTINGS.get(key);
      expect(spec, `Dockerfile ENV ${key} is not a setting`).toBeDefined();
      expect(spec!.schema.safeParse(value).success, `Dockerfile ENV ${key}=${value}`).toBe(true);
    }
  });

  it('every Tandem process uses the compose Redis, the same queue prefix and the same engines', () => {
    const configs = Object.keys(NODE_SERVICES).map((n) => configOf(n));
    const redisPort = 6379; // the redis image's port; the service publishes none
    for (const c of configs) expect(c.redisUrl).toBe(`redis://redis:${redisPort}`);
    for (const key of ['queuePrefix', 'primaryEngine', 'backupEngine', 'outputDir'] as const) {
      expect(new Set(configs.map((c) => c[key])).size, `${key} differs between services`).toBe(1);
    }
    expect(isKnownEngine(configs[0]!.primaryEngine)).toBe(true);
    expect(isKnownEngine(configs[0]!.backupEngine)).toBe(true);
    for (const name of Object.keys(NODE_SERVICES)) {
      const deps = service(name).depends_on ?? [];
      expect(Array.isArray(deps) ? deps : Object.keys(deps), `${name} depends on redis`).toContain('redis');
    }
  });

  it('the API listens on 0.0.0.0:PORT, may start that way, and is published on PORT (loopback only while open)', () => {
    const api = service('api');
    const c = configOf('api');
    expect(c.host).toBe('0.0.0.0');
    expect(bindPolicy(c).ok, bindPolicy(c).message).toBe(true);
    const ports = portMappings(api);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) {
      expect(p.container).toBe(c.port);
      // No keys configured: the service is open, so only this host may reach it.
      if (c.apiKeys.length + c.adminKeys.length === 0) expect(p.hostIp).toBe('127.0.0.1');
    }
    const health = [api.healthcheck?.test ?? []].flat().join(' ');
    expect(health).toContain(`:${c.port}/healthz`);
  });

  it('workers and the monitor serve /metrics on METRICS_PORT bound to every interface', () => {
    for (const name of [...WORKERS, 'monitor']) {
      const c = configOf(name);
      expect(c.metricsPort, `${name}: METRICS_PORT`).not.toBe(0);
      expect(['0.0.0.0', '::'], `${name}: METRICS_HOST must let Prometheus in`).toContain(c.metricsHost);
    }
  });

  it('OUTPUT_DIR is the same named volume on the API, every worker and the monitor', () => {
    const sources = new Set<string>();
    for (const name of ['api', ...WORKERS, 'monitor']) {
      const dir = configOf(name).outputDir;
      expect(posix.isAbsolute(dir), `${name}: OUTPUT_DIR ${dir} is absolute`).toBe(true);
      const m = mounts(service(name)).find((v) => v.target === dir);
      expect(m, `${name} mounts a volume at OUTPUT_DIR ${dir}`).toBeDefined();
      expect(isNamedVolume(m!.source)).toBe(true);
      sources.add(m!.source);
    }
    expect(sources.size).toBe(1);
    expect(compose.volumes).toHaveProperty([...sources][0]!);
  });

  it('the primary workers read MODELS_DIR from the models volume', () => {
    const c = configOf('worker-primary');
    // Not under /app/models: a volume there would hide the image's models/manifest.json after an upgrade.
    expect(c.modelsDir).toBe('/data/models');
    const m = mounts(service('worker-primary')).find((v) => v.target === c.modelsDir);
    expect(m?.source).toBe('models');
    expect(compose.volumes).toHaveProperty('models');
  });

  it('gives workers time to drain: stop_grace_period is longer than SHUTDOWN_TIMEOUT_MS', () => {
    for (const name of Object.keys(NODE_SERVICES)) {
      const grace = service(name).stop_grace_period ?? '10s'; // Docker's default
      expect(durationMs(grace), name).toBeGreaterThan(configOf(name).shutdownTimeoutMs);
    }
  });

  it('every bind-mounted file or folder exists in the repository', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const { source } of mounts(s)) {
        if (source.startsWith('./') || source.startsWith('../'))
          expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });
});

describe('Dockerfile', () => {
  it('is multi-stage: builds with devDependencies, runs with production ones only', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const build = dockerfile[0] ?? [];
    const buildText = build.map((i) => `${i.cmd} ${i.args}`).join('\n');
    expect(
      envOf(build).ONNXRUNTIME_NODE_INSTALL ??
        (/ONNXRUNTIME_NODE_INSTALL=skip npm ci/.test(buildText) ? 'skip' : undefined),
    ).toBe('skip');
    expect(buildText).toMatch(/RUN .*npm ci(?! --omit=dev)/);
    expect(buildText).toMatch(/npm run build/);
    const runtimeText = runtime.map((i) => `${i.cmd} ${i.args}`).join('\n');
    expect(`${buildText}\n${runtimeText}`).toMatch(/npm (prune|ci) --omit=dev/);
    expect(runtimeText).toMatch(/COPY --from=\S+ \/app\/dist \.\/dist/);
    expect(runtimeText).toMatch(/COPY --from=\S+ \/app\/node_modules \.\/node_modules/);
    // "type": "module" lives in package.json; without it node reads dist/*.js as CommonJS.
    expect(runtimeText).toMatch(/COPY (\S+ )*package\.json( \S+)* \.\/?$/m);
  });

  it('ships the web page where src/api/web serves it from, and the model manifest', () => {
    const page = relative(ROOT, WEB_ROOT).split('\\').join('/').replace(/\/$/, '');
    expect(page).toBe('src/api/web/public');
    const runtimeText = runtime.map((i) => `${i.cmd} ${i.args}`).join('\n');
    expect(runtimeText).toContain(`COPY --from=build /app/${page} ./${page}`);
    // src/cli/models.ts reads ../../models/manifest.json from dist/cli.
    expect(runtimeText).toMatch(/COPY .*models\/manifest\.json.* \.\/models\//);
  });

  it('runs as a non-root user that owns the volume mount points', () => {
    const users = runtime.filter((i) => i.cmd === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0];
    expect(['root', '0']).not.toContain(user);
    const userAt = runtime.indexOf(users.at(-1)!);
    const chown = runtime.findIndex((i) => i.cmd === 'RUN' && new RegExp(`chown -R ${user}(:\\S+)? `).test(i.args));
    expect(chown, `a RUN chown -R ${user} before USER`).toBeGreaterThanOrEqual(0);
    expect(chown).toBeLessThan(userAt);
    const owned = runtime[chown]!.args;
    const c = configOf('worker-primary');
    expect(owned).toContain('/data');
    expect(c.modelsDir.startsWith('/data/')).toBe(true);
    expect(c.outputDir.startsWith('/data/')).toBe(true);
  });
});

describe('Prometheus', () => {
  const prometheus = service('prometheus');
  const configMount = mounts(prometheus).find((m) => m.source.startsWith('./'));
  const configFile = configMount?.source ?? '';
  const config = parse(read(configFile)) as {
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; type?: string; port?: number }[];
    }[];
  };

  it('is configured from deploy/prometheus/prometheus.yml', () => {
    expect(configFile).toBe('./deploy/prometheus/prometheus.yml');
    expect(commandOf(prometheus)).toContain(`--config.file=${configMount!.target}`);
  });

  it('scrapes every Tandem process at /metrics on its port (PORT for the API, METRICS_PORT for the rest)', () => {
    const targets = new Set<string>();
    for (const job of config.scrape_configs) {
      const path = job.metrics_path ?? '/metrics';
      for (const sc of job.static_configs ?? []) for (const t of sc.targets) targets.add(`${t}${path}`);
      for (const sd of job.dns_sd_configs ?? []) {
        expect(sd.type ?? 'SRV').toBe('A');
        for (const n of sd.names) targets.add(`${n}:${sd.port}${path}`);
      }
    }
    for (const name of Object.keys(NODE_SERVICES)) {
      const c = configOf(name);
      const port = name === 'api' ? c.port : c.metricsPort;
      expect([...targets], `${name} is scraped`).toContain(`${name}:${port}/metrics`);
    }
    expect(new Set(config.scrape_configs.map((j) => j.job_name)).size).toBe(config.scrape_configs.length);
  });
});

describe('Grafana', () => {
  const grafana = service('grafana');
  const mountOf = (source: string) => mounts(grafana).find((m) => m.source.replace(/\/$/, '') === source);
  const provisioning = mountOf('./deploy/grafana/provisioning');
  const dashboardsMount = mountOf('./deploy/grafana/dashboards');
  const yamlFiles = (dir: string) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => parse(read(join(dir, f))));
  const datasources = yamlFiles('deploy/grafana/provisioning/datasources').flatMap(
    (f: { datasources?: { uid?: string; type: string; url: string }[] }) => f.datasources ?? [],
  );
  const providers = yamlFiles('deploy/grafana/provisioning/dashboards').flatMap(
    (f: { providers?: { type?: string; options?: { path?: string } }[] }) => f.providers ?? [],
  );
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/tandem.json')) as {
    uid: string;
    title: string;
    panels: Panel[];
  };
  const panels = allPanels(dashboard.panels);
  const queried = panels.filter((p) => p.targets?.length);
  let registered: Set<string>;

  beforeAll(async () => {
    const json = await new Metrics('test').registry.getMetricsAsJSON();
    registered = new Set(
      json.flatMap((m) => {
        const type = String(m.type);
        if (type === 'histogram') return [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
        if (type === 'summary') return [m.name, `${m.name}_sum`, `${m.name}_count`];
        return [m.name];
      }),
    );
  });

  it('is provisioned from deploy/grafana: a Prometheus datasource and the dashboard folder', () => {
    expect(provisioning?.target).toBe('/etc/grafana/provisioning');
    expect(dashboardsMount).toBeDefined();
    const prom = datasources.filter((d) => d.type === 'prometheus');
    expect(prom.length).toBeGreaterThan(0);
    const promPorts = portMappings(service('prometheus')).map((p) => p.container);
    for (const d of prom) {
      const url = new URL(d.url);
      expect(url.hostname).toBe('prometheus');
      expect(promPorts).toContain(Number(url.port));
    }
    expect(providers.some((p) => (p.type ?? 'file') === 'file' && p.options?.path === dashboardsMount!.target)).toBe(
      true,
    );
  });

  it('the dashboard parses, and every panel queries the provisioned datasource', () => {
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.title).toBeTruthy();
    expect(queried.length).toBeGreaterThan(5);
    const uids = new Set(datasources.map((d) => d.uid));
    for (const p of queried) {
      const uid = typeof p.datasource === 'object' && p.datasource ? p.datasource.uid : undefined;
      expect(uids, `${p.title}: datasource`).toContain(uid);
      for (const t of p.targets!) if (t.datasource?.uid) expect(uids).toContain(t.datasource.uid);
    }
  });

  it('reads metric names out of PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{route!~"/metrics|x"}[$__rate_interval])))',
      ),
    ).toEqual(['a_bucket']);
    expect(metricNames('sum(b_total offset 5m) / ignoring(x) sum without (y) (c) and on(z) d{e="f"} > 1e3')).toEqual([
      'b_total',
      'c',
      'd',
    ]);
  });

  it('every metric a panel queries is one the code registers', () => {
    // Series Prometheus adds itself for every target.
    const synthetic = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
    const used = new Set<string>();
    for (const p of queried) {
      for (const t of p.targets!) {
        expect(t.expr, `${p.title}: expr`).toBeTruthy();
        const names = metricNames(t.expr!);
        expect(names.length, `${p.title}: ${t.expr} names no metric`).toBeGreaterThan(0);
        for (const n of names) {
          expect(registered.has(n) || synthetic.has(n), `${p.title}: ${n} is not a registered metric`).toBe(true);
          used.add(n);
        }
        if (/histogram_quantile/.test(t.expr!)) expect(t.expr).toMatch(/_bucket\b/);
      }
    }
    // What the dashboard is for: latency, success rate, routing, queues, engines, RTF, CPU and memory.
    for (const n of [
      'tts_http_request_duration_seconds_bucket',
      'tts_jobs_total',
      'tts_route_switches_total',
      'tts_route',
      'tts_queue_jobs',
      'tts_engine_up',
      'tts_real_time_factor_bucket',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ]) {
      expect(used, `the dashboard shows ${n}`).toContain(n);
    }
  });

  it('shows request latency as p50 and p95', () => {
    const exprs = queried
      .flatMap((p) => p.targets!.map((t) => t.expr!))
      .filter((e) => e.includes('tts_http_request_duration_seconds_bucket'));
    expect(exprs.some((e) => /histogram_quantile\(0\.5,/.test(e))).toBe(true);
    expect(exprs.some((e) => /histogram_quantile\(0\.95,/.test(e))).toBe(true);
  });
});
