// Outbound POSTs to URLs people typed (alert webhooks) never reach the platform's own network: the addresses the
// socket really connects to are checked, so a host name that resolves to loopback or a private range is refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedAddress, BlockedAddressError, postToPublicUrl } from '../../server/platform/outbound-http.ts';

let server: Server;
let port: number;
let received = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = (url: string, allowLoopback: boolean) => postToPublicUrl(url, { headers: { 'Content-Type': 'application/json' }, body: '{}', timeoutMs: 5000, allowLoopback });

describe('outbound POSTs to typed URLs', () => {
  it('classifies private, link-local, reserved and IPv4-mapped addresses as blocked and public ones as allowed', () => {
    for (const a of ['10.1.2.3', '172.20.0.1', '192.168.0.10', '169.254.169.254', '100.64.1.1', '0.0.0.0', '224.0.0.1', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', '::']) {
      expect(blockedAddress(a, { allowLoopback: true }), a).toBeDefined();
    }
    for (const a of ['8.8.8.8', '54.172.60.0', '2600:1f18::1']) expect(blockedAddress(a, { allowLoopback: false }), a).toBeUndefined();
    expect(blockedAddress('127.0.0.1', { allowLoopback: false })).toBe('loopback');
    expect(blockedAddress('::1', { allowLoopback: true })).toBeUndefined();
  });

  it('refuses a host name that resolves to loopback when loopback is not allowed, without connecting', async () => {
    await expect(post(`http://localhost:${port}/hook`, false)).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(post(`http://127.0.0.1:${port}/hook`, false)).rejects.toBeInstanceOf(BlockedAddressError);
    expect(received).toBe(0);
  });

  it('posts to loopback when allowed (local development) and answers the status', async () => {
    expect(await post(`http://localhost:${port}/hook`, true)).toEqual({ status: 204 });
    expect(received).toBe(1);
  });
});
