// GET /metrics against the whole platform: Prometheus text that parses, counting a send, the webhooks its
// callbacks brought and a rejected one, the Twilio requests by operation, the matched route (never a raw URL),
// the flow gauges read from the database, Node's process metrics, and the cluster aggregation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { AggregatorRegistry } from 'prom-client';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { startMetricsServer, type MetricsServer } from '../../server/metrics/metrics-server.ts';
import { registry } from '../../server/metrics/metrics.ts';
import { createTenant, postSigned, statusParams, type Tenant } from '../messaging/tenant.ts';
import { createCustomer } from '../onboarding/fixtures.ts';
import { parsePrometheusText, type Exposition } from './prometheus-text.ts';

let ctx: TestContext;
let tenant: Tenant;
let metrics: MetricsServer;

beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false } });
  tenant = await createTenant(ctx);
  metrics = await startMetricsServer({ port: 0, host: '127.0.0.1', logger: ctx.logger });
});
afterAll(async () => {
  await metrics?.close();
  await ctx?.close();
});

async function scrape(): Promise<Exposition> {
  const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

describe('GET /metrics', () => {
  it('parses as Prometheus text and counts a send, its status webhooks, a rejected webhook and the Twilio request', async () => {
    const before = await scrape();
    const sendRoute = { route: '/api/isv/customers/:id/messages', method: 'POST', status: '201' };

    const res = await ctx.request.post(`/api/isv/customers/${tenant.customerId}/messages`).set(tenant.owner.auth).send({ to: '+14155551001', body: 'Your order shipped' });
    expect(res.status).toBe(201);
    // The sandbox delivers the message's status callbacks, signed, to the platform's webhook.
    await ctx.sandbox.flushCallbacks();
    const forged = await ctx.request.post('/api/isv/webhooks/twilio/status').type('form').set('X-Twilio-Signature', 'bm90IGEgc2lnbmF0dXJl').send(statusParams(tenant, 'SM' + '0'.repeat(32), 'delivered'));
    expect(forged.status).toBe(403);
    // The same callback again, signed: a duplicate.
    const sid = res.body.sid as string;
    const again = await postSigned(ctx, tenant.authToken, '/api/isv/webhooks/twilio/status', statusParams(tenant, sid, 'delivered'));
    expect(again.status).toBe(200);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta('isv_sends_total', { outcome: 'sent' })).toBe(1);
    const callbacks = ctx.sandbox.callbackDeliveries.filter((d) => d.url.endsWith('/api/isv/webhooks/twilio/status') && d.status === 200).length;
    expect(callbacks).toBeGreaterThan(0);
    expect(delta('isv_webhooks_total', { kind: 'status', outcome: 'accepted', reason: '' })).toBe(callbacks);
    expect(delta('isv_webhooks_total', { kind: 'status', outcome: 'rejected', reason: 'bad_signature' })).toBe(1);
    expect(delta('isv_webhooks_total', { kind: 'status', outcome: 'duplicate', reason: '' })).toBe(1);
    expect(delta('isv_twilio_requests_total', { operation: 'messages.create', outcome: 'ok' })).toBe(1);
    expect(delta('isv_twilio_request_duration_seconds_count', { operation: 'messages.create', outcome: 'ok' })).toBe(1);
    expect(after.types.get('isv_twilio_request_duration_seconds')).toBe('histogram');

    // The matched route pattern, never the URL with the customer's id in it.
    expect(delta('http_request_duration_seconds_count', sendRoute)).toBe(1);
    expect(after.samples.some((s) => Object.values(s.labels).some((v) => v.includes(tenant.customerId)))).toBe(false);
    expect(after.value('http_request_duration_seconds_count', { route: '/api/isv/webhooks/twilio/status', method: 'POST', status: '403' })).toBeGreaterThanOrEqual(1);

    // Node's process metrics (collectDefaultMetrics).
    expect(after.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(after.value('nodejs_heap_size_total_bytes')).toBeGreaterThan(0);
  });

  it('labels a request no route matched as unmatched, and a failed Twilio request by its outcome', async () => {
    const before = await scrape();
    const res = await ctx.request.get('/api/isv/no-such-thing/12345').set(tenant.owner.auth);
    expect(res.status).toBe(404);
    // A Twilio 404 (a message SID that does not exist) is a client error, under the SDK URL's pattern.
    await expect(tenant.client.messages('SM' + 'f'.repeat(32)).fetch()).rejects.toMatchObject({ status: 404 });
    const after = await scrape();
    expect(after.value('http_request_duration_seconds_count', { route: '/api/<unmatched>', method: 'GET', status: '404' }) - before.value('http_request_duration_seconds_count', { route: '/api/<unmatched>', method: 'GET', status: '404' })).toBe(1);
    expect(after.samples.some((s) => Object.values(s.labels).some((v) => v.includes('no-such-thing')))).toBe(false);
    const op = 'GET api.twilio.com/2010-04-01/Accounts/:sid/Messages/:sid';
    expect(after.value('isv_twilio_requests_total', { operation: op, outcome: 'client_error' }) - before.value('isv_twilio_requests_total', { operation: op, outcome: 'client_error' })).toBe(1);
  });

  it('reads the onboarding flow gauges from the database at scrape time', async () => {
    await createCustomer(ctx.db);
    await createCustomer(ctx.db);
    const rows = await ctx.db.query<{ kind: string; status: string; n: number }>('SELECT kind, status, count(*)::int AS n FROM isv.flows GROUP BY kind, status');
    const due = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.flows WHERE next_run_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at <= now())`);
    const scraped = await scrape();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(scraped.value('isv_onboarding_flows', { kind: r.kind, status: r.status })).toBe(Number(r.n));
    // Every kind and status has a series, zero when no flow is in it.
    expect(scraped.value('isv_onboarding_flows', { kind: 'template', status: 'failed' })).toBe(0);
    expect(scraped.find('isv_onboarding_flows', { kind: 'template', status: 'failed' })).toHaveLength(1);
    expect(Number(due[0]!.n)).toBeGreaterThanOrEqual(2);
    expect(scraped.value('isv_onboarding_due_flows')).toBe(Number(due[0]!.n));
  });

  it('aggregates workers as a cluster primary would: counters summed, database gauges not', async () => {
    const one = await registry.getMetricsAsJSON();
    // Two workers answering with the same registry contents (what clusterMetrics() collects from each).
    const text = await AggregatorRegistry.aggregate([one, one]).metrics();
    const cluster = parsePrometheusText(text);
    const single = parsePrometheusText(await registry.metrics());
    const sent = { outcome: 'sent' };
    expect(single.value('isv_sends_total', sent)).toBeGreaterThan(0);
    expect(cluster.value('isv_sends_total', sent)).toBe(2 * single.value('isv_sends_total', sent));
    expect(cluster.value('isv_onboarding_due_flows')).toBe(single.value('isv_onboarding_due_flows'));
    expect(cluster.value('isv_onboarding_flows', { kind: 'subaccount', status: 'in_progress' })).toBe(single.value('isv_onboarding_flows', { kind: 'subaccount', status: 'in_progress' }));
  });

  it('has every metric the Grafana dashboard in docs/ queries', async () => {
    const dashboard = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const queried = new Set([...JSON.parse(dashboard).panels.flatMap((p: { targets?: { expr: string }[] }) => p.targets ?? []).map((t: { expr: string }) => t.expr).join(' ').matchAll(/\b(?:isv|http|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0]));
    expect(queried.size).toBeGreaterThan(8);
    const exposed = new Set((await scrape()).samples.map((s) => s.name));
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('answers only GET /metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${metrics.port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metrics.port}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
