/**
 * Test fixture: the base images the Dockerfile and docker-compose.yml name,
 * made from Debian packages where Docker Hub cannot be reached. Real users
 * pull the real images; this only runs for an image that is not present.
 *
 * - a Debian bookworm base from `debootstrap --variant=minbase` + `docker import`
 * - node:20-bookworm-slim: that base + the host's own Node.js 20 and npm, a `node` user (uid 1000,
 *   as in the official image) and the host's CA bundle (npm reaches the registry through it)
 * - redis:7.4: the base + Debian's redis-server (7.0; the commands the stack uses are the same)
 * - prom/prometheus:v2.55.1: the base + Debian's prometheus, with the official image's entrypoint
 *
 * Grafana is not packaged by Debian, so there is no stand-in for it: the test runs the stack
 * without the grafana service and says so.
 *
 * Images stay in the test dockerd's data root (CACHE_DIR), and the debootstrap tree is kept as a
 * tarball there too, so later runs skip all of this.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE_DIR, type Engine } from './engine.js';

const run = promisify(execFile);
const BIG = { maxBuffer: 64 * 1024 * 1024 };

export const DEBIAN_BASE = 'tandem-fixture/debian:bookworm';
export const NODE_IMAGE = 'node:20-bookworm-slim';
export const REDIS_IMAGE = 'redis:7.4';
export const PROMETHEUS_IMAGE = 'prom/prometheus:v2.55.1';
export const GRAFANA_IMAGE = 'grafana/grafana:11.4.0';

const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

export async function hasImage(e: Engine, name: string): Promise<boolean> {
  try {
    await run(e.docker, ['image', 'inspect', name], { env: e.env });
    return true;
  } catch {
    return false;
  }
}

async function debianBase(e: Engine, log: (s: string) => void): Promise<void> {
  if (await hasImage(e, DEBIAN_BASE)) return;
  const tarball = join(CACHE_DIR, 'debian-bookworm-minbase.tar');
  if (!existsSync(tarball)) {
    const dir = join(CACHE_DIR, 'rootfs.tmp');
    rmSync(dir, { recursive: true, force: true });
    log('debootstrap --variant=minbase bookworm (once; cached)');
    await run('debootstrap', ['--variant=minbase', 'bookworm', dir, 'http://deb.debian.org/debian'], BIG);
    await run('tar', ['-C', dir, '-cf', `${tarball}.part`, '.'], BIG);
    await run('mv', [`${tarball}.part`, tarball]);
    rmSync(dir, { recursive: true, force: true });
  }
  await run('sh', ['-c', `"${e.docker}" import - ${DEBIAN_BASE} < "${tarball}"`], { env: e.env, ...BIG });
}

/** `docker build --network host` of a Dockerfile text with files copied into its context. */
async function build(e: Engine, tag: string, dockerfile: string, files: Record<string, string> = {}): Promise<void> {
  const ctx = mkdtempSync(join(tmpdir(), 'tandem-fixture-'));
  try {
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    for (const [name, from] of Object.entries(files))
      cpSync(from, join(ctx, name), { recursive: true, dereference: true });
    await run(e.docker, ['build', '--network', 'host', '-t', tag, ctx], {
      env: { ...e.env, DOCKER_BUILDKIT: '0' },
      ...BIG,
    });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

const APT = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends';

async function nodeImage(e: Engine): Promise<void> {
  const node = realpathSync(process.execPath);
  const npm = realpathSync(join(dirname(node), '..', 'lib', 'node_modules', 'npm'));
  if (!process.version.startsWith('v20.')) throw new Error(`the host's Node.js is ${process.version}, not 20`);
  await build(
    e,
    NODE_IMAGE,
    `FROM ${DEBIAN_BASE}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && printf 'cafile=/etc/ssl/certs/ca-certificates.crt\\n' > /usr/local/etc/npmrc
ENV NODE_VERSION=${process.version.slice(1)} NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
`,
    { node, npm, 'ca-certificates.crt': HOST_CA },
  );
}

async function redisImage(e: Engine): Promise<void> {
  await build(
    e,
    REDIS_IMAGE,
    `FROM ${DEBIAN_BASE}
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN ${APT} redis-server && rm -rf /var/lib/apt/lists/* && mkdir -p /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
`,
    { 'ca-certificates.crt': HOST_CA, 'redis-entrypoint.sh': join(import.meta.dirname, 'redis-entrypoint.sh') },
  );
}

async function prometheusImage(e: Engine): Promise<void> {
  await build(
    e,
    PROMETHEUS_IMAGE,
    `FROM ${DEBIAN_BASE}
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ${APT} prometheus && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /prometheus /etc/prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
`,
    { 'ca-certificates.crt': HOST_CA },
  );
}

/**
 * Make whichever base images are missing. Returns the services to run: every one in
 * docker-compose.yml except grafana when no Grafana image is present.
 */
export async function ensureBaseImages(e: Engine, log: (s: string) => void): Promise<{ grafana: boolean }> {
  const makers: [string, (e: Engine) => Promise<void>][] = [
    [NODE_IMAGE, nodeImage],
    [REDIS_IMAGE, redisImage],
    [PROMETHEUS_IMAGE, prometheusImage],
  ];
  const missing = [];
  for (const [name, make] of makers) if (!(await hasImage(e, name))) missing.push({ name, make });
  if (missing.length) {
    await debianBase(e, log);
    log(`making ${missing.map((m) => m.name).join(', ')} from Debian packages (once; cached)`);
    await Promise.all(missing.map((m) => m.make(e)));
  }
  return { grafana: await hasImage(e, GRAFANA_IMAGE) };
}
