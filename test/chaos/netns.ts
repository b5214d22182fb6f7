/**
 * Hosts made of Linux network namespaces for the partition test: one bridge
 * (in the test's own namespace, holding the test's address) and one namespace
 * per host, each joined to the bridge by a veth pair. Addresses live only on
 * these links, in a private /24 that nothing routes elsewhere; `remove`
 * deletes every namespace, veth and the bridge.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Net {
  /** The test's own address on the bridge. */
  gateway: string;
  /** Namespace of a host. */
  ns(host: string): string;
  /** Address of a host. */
  ip(host: string): string;
  /** `ip netns exec <ns>`: run a command on a host. */
  exec(host: string): string[];
  /** Pull a host's cable (its end on the bridge goes down), or plug it back. */
  link(host: string, up: boolean): void;
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  const name = `ttprobe${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.error) return `the ip command is not available (${add.error.message}); install iproute2`;
  if (add.status !== 0) return `ip netns add is not permitted here: ${add.stderr.trim() || `exit ${add.status}`}`;
  spawnSync('ip', ['netns', 'del', name]);
  const br = spawnSync('ip', ['link', 'add', `${name}b`, 'type', 'bridge'], { encoding: 'utf8' });
  if (br.status !== 0) return `creating a bridge is not permitted here: ${br.stderr.trim()}`;
  spawnSync('ip', ['link', 'del', `${name}b`]);
  return undefined;
}

/** A bridge and one namespace per host, addresses 10.213.<n>.2… in order of `hosts`. */
export function makeNet(hosts: string[]): Net {
  const tag = `tt${randomBytes(2).toString('hex')}`;
  const subnet = `10.213.${16 + ((randomBytes(1)[0] ?? 0) % 200)}`;
  const bridge = `${tag}br`;
  const addr = new Map(hosts.map((h, i) => [h, `${subnet}.${i + 2}`]));
  const nsOf = (h: string) => `${tag}-${h}`;
  const hostEnd = (h: string) => `${tag}${h}h`; // interface names: at most 15 characters
  const made: string[] = [];
  const net: Net = {
    gateway: `${subnet}.1`,
    ns: nsOf,
    ip: (h) => addr.get(h) ?? '',
    exec: (h) => ['ip', 'netns', 'exec', nsOf(h)],
    link: (h, up) => ip('link', 'set', hostEnd(h), up ? 'up' : 'down'),
    remove() {
      // The host ends first: a namespace outlives its name while a process is still in it, and keeps its veth.
      for (const h of hosts) spawnSync('ip', ['link', 'del', hostEnd(h)]);
      for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
      spawnSync('ip', ['link', 'del', bridge]);
    },
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${net.gateway}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (const h of hosts) {
      const ns = nsOf(h);
      ip('netns', 'add', ns);
      made.push(ns);
      ip('link', 'add', hostEnd(h), 'type', 'veth', 'peer', 'name', `${tag}${h}n`);
      ip('link', 'set', `${tag}${h}n`, 'netns', ns);
      ip('link', 'set', hostEnd(h), 'master', bridge, 'up');
      ip('-n', ns, 'addr', 'add', `${net.ip(h)}/24`, 'dev', `${tag}${h}n`);
      ip('-n', ns, 'link', 'set', `${tag}${h}n`, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (err) {
    net.remove();
    throw err;
  }
  return net;
}
