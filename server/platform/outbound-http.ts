// POSTs to URLs that customers or ISV staff typed (alert webhooks), without letting them reach the platform's own
// network: an address in a private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast or
// reserved range is refused, and so is loopback unless allowed (local development). The check runs on the
// addresses the connection really uses (the socket's DNS lookup), so a name that resolves differently on a second
// lookup (DNS rebinding) cannot slip past it. Redirects are not followed.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export class BlockedAddressError extends Error {
  constructor(readonly address: string) {
    super(`the address ${address} is not a public internet address`);
  }
}

/** Why the platform will not connect to this IP address, or undefined when it may. */
export function blockedAddress(address: string, o: { allowLoopback: boolean }): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(ip, family)) return o.allowLoopback ? undefined : 'loopback';
  return BLOCKED.check(ip, family) ? 'private or reserved' : undefined;
}

/**
 * Why a URL's host is refused before any lookup, or undefined: an IP literal in a blocked range, or this machine
 * (`localhost` or a loopback literal) unless loopback is allowed. Host names are checked again at connect time.
 */
export function blockedHost(hostname: string, o: { allowLoopback: boolean }): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return o.allowLoopback ? undefined : 'loopback';
  return isIP(host) ? blockedAddress(host, o) : undefined;
}

export interface PostResult {
  status: number;
}

export async function postToPublicUrl(
  url: string,
  o: { headers: Record<string, string>; body: string; timeoutMs: number; allowLoopback: boolean },
): Promise<PostResult> {
  const u = new URL(url);
  // Node connects to an IP literal without a lookup: check it here.
  if (blockedHost(u.hostname, o)) throw new BlockedAddressError(u.hostname);
  const lookup = (hostname: string, opts: { all?: boolean }, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return cb(err, []);
      const bad = addresses.find((a) => blockedAddress(a.address, o));
      if (bad) return cb(new BlockedAddressError(bad.address), []);
      if (opts.all) return cb(null, addresses);
      cb(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const client = u.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const req = client.request(
      u,
      { method: 'POST', headers: { ...o.headers, 'Content-Length': String(Buffer.byteLength(o.body)) }, lookup: lookup as never, timeout: o.timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(o.body);
  });
}
