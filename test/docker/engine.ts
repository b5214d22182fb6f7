/**
 * A Docker engine for the docker test: the one already running (DOCKER_HOST
 * or /var/run/docker.sock), or a dockerd this test starts itself and stops at
 * the end. Its images live under a cache directory, so the base images and
 * the build cache survive between runs; its containers, networks and volumes
 * do not.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the test keeps its dockerd's images and the base-image fixtures between runs. */
export const CACHE_DIR = process.env.TANDEM_DOCKER_CACHE ?? join(homedir(), '.cache', 'tandem-tts', 'docker');

export interface Engine {
  /** Environment for the docker and compose commands (DOCKER_HOST). */
  env: NodeJS.ProcessEnv;
  /** The docker CLI to use. */
  docker: string;
  /** The compose command: docker-compose (v1) or `docker compose`. */
  compose: string[];
  /** Why the test cannot run (no engine could be found or started), or undefined. */
  unavailable?: string;
  stop(): Promise<void>;
}

/** Prefer the CLI that ships with the daemon (Debian's docker.io puts it in /usr/bin). */
function dockerCli(): string {
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

async function which(cmd: string): Promise<string | undefined> {
  try {
    return (await run('sh', ['-c', `command -v ${cmd}`])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function responds(docker: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await run(docker, ['version', '--format', '{{.Server.Version}}'], { env, timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export async function startEngine(): Promise<Engine> {
  const docker = dockerCli();
  const composeV1 = await which('docker-compose');
  const compose = composeV1 ? [composeV1] : [docker, 'compose'];
  const none = (why: string): Engine => ({ env: process.env, docker, compose, unavailable: why, stop: async () => {} });
  if (!(await which(docker))) return none('no docker CLI (apt-get install docker.io docker-compose)');
  if (await responds(docker, process.env)) return { env: process.env, docker, compose, stop: async () => {} };

  const dockerd = await which('dockerd');
  if (!dockerd) return none('no Docker engine is running and dockerd is not installed (apt-get install docker.io)');
  if (process.getuid?.() !== 0) return none('no Docker engine is running and starting dockerd needs root');
  // A short socket path (unix sockets are limited to ~100 bytes); state that must not outlive the run in tmp.
  const runDir = mkdtempSync(join(tmpdir(), 'tandem-dockerd-'));
  mkdirSync(join(CACHE_DIR, 'data-root'), { recursive: true });
  const sock = join(runDir, 'docker.sock');
  const log = openSync(join(runDir, 'dockerd.log'), 'a');
  const child: ChildProcess = spawn(
    dockerd,
    [
      '--data-root',
      join(CACHE_DIR, 'data-root'),
      '--exec-root',
      join(runDir, 'exec'),
      '--pidfile',
      join(runDir, 'dockerd.pid'),
      '--host',
      `unix://${sock}`,
      // No default bridge and no iptables rules on the host: Compose makes its own network, and
      // published ports go through docker-proxy on the host's loopback.
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    // dockerd leaves its network namespace bind-mounted under the exec root.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(runDir))
      .reverse();
    for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    if (await responds(docker, env)) return { env, docker, compose, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  const why = `dockerd did not start (see ${join(runDir, 'dockerd.log')})`;
  await stop();
  return none(why);
}
