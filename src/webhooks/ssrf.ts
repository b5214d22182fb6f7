import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Guards webhook URLs against server-side request forgery: a URL must be
 * http(s) and every address its host resolves to must be public, unless the
 * host is allow-listed. Checked at submit and again at delivery (DNS can
 * change); delivery then connects to the address checked here, never
 * resolving again, so DNS rebinding cannot slip past.
 */

/** Addresses a webhook may not reach. BlockList also matches IPv4-mapped IPv6 forms against the IPv4 rules. */
const BLOCKED = (() => {
  const b = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8], // "this network"
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, including 169.254.169.254 (cloud metadata)
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved and broadcast
  ];
  const v6: [string, number][] = [
    ['::', 96], // unspecified, loopback, IPv4-compatible
    ['64:ff9b::', 96], // NAT64 could reach an internal IPv4 address
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001::', 23], // Teredo and other protocol assignments
    ['2001:db8::', 32],
    ['2002::', 16], // 6to4 embeds an IPv4 address
    ['fc00::', 7], // unique local, including fd00:ec2::254 (AWS metadata)
    ['fe80::', 10], // link-local
    ['fec0::', 10],
    ['ff00::', 8], // multicast
  ];
  for (const [net, bits] of v4) b.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of v6) b.addSubnet(net, bits, 'ipv6');
  return b;
})();

/** Host names of cloud metadata services, refused by name whatever they resolve to. */
const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Why a URL was refused; `reason` is safe to show the client. */
export class WebhookUrlError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'WebhookUrlError';
  }
}

export interface WebhookTarget {
  url: URL;
  /** The checked address delivery connects to. */
  address: string;
  family: 4 | 6;
}

/** Whether an IP address is loopback, private, link-local, metadata or otherwise not public. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Parse, resolve and check a webhook URL. Throws WebhookUrlError with the reason. */
export async function checkWebhookUrl(
  raw: string,
  opts: { allowHosts: readonly string[]; lookup?: Lookup },
): Promise<WebhookTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new WebhookUrlError('only http and https URLs are allowed');
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  // The allow-list names the URL's host, never what it resolves to: a name an attacker controls may resolve anywhere.
  const allowed = opts.allowHosts.includes(host);
  if (!allowed && METADATA_HOSTS.has(host)) throw new WebhookUrlError(`host ${host} is a cloud metadata service`);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await (opts.lookup ?? systemLookup)(host);
    } catch {
      throw new WebhookUrlError(`host ${host} does not resolve`);
    }
    if (!addresses.length) throw new WebhookUrlError(`host ${host} does not resolve`);
  }
  if (!allowed) {
    // Every address must be public: a client cannot be told which one a connection would use.
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad)
      throw new WebhookUrlError(
        `host ${host} resolves to ${bad.address}, a loopback, private, link-local or reserved address`,
      );
  }
  const first = addresses[0];
  if (!first) throw new WebhookUrlError(`host ${host} does not resolve`);
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
