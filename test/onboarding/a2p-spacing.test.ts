// Twilio allows about one A2P 10DLC request per second per master account (#14): every brand and campaign
// request of the A2P flow, the reads and polls as much as the creates, goes through the gateway's A2P spacing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval } from '../../server/admin/admin.service.ts';
import { a2pRequest, createCustomer, drive, flowsOf, insertAdminUser, movableClock, testEngine } from './fixtures.ts';

// Wide enough that the sandbox's arrival times keep the spacing under a loaded machine's latency jitter.
const SPACING_MS = 200;
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ sandbox: { autoAdvance: false }, gateway: { a2pIntervalMs: SPACING_MS } });
});
afterAll(async () => ctx?.close());

const isA2p = (path: string) => path.startsWith('/v1/a2p/BrandRegistrations') || /^\/v1\/Services\/MG[0-9a-f]{32}\/Compliance\/Usa2p/.test(path);

describe('the A2P request spacing', () => {
  it('spaces every brand and campaign request of two registrations, polls and reads included', async () => {
    const clock = movableClock();
    const engine = testEngine(ctx, clock, { concurrency: 4 });
    const admin = await insertAdminUser(ctx.db);
    const customers = [await createCustomer(ctx.db), await createCustomer(ctx.db)];
    for (const id of customers) {
      const { brand } = await submitA2p(ctx.db, id, a2pRequest(), clock.now());
      await decideBrandApproval(ctx.db, admin, brand.id, { decision: 'approve' }, clock.now());
    }
    const start = ctx.sandbox.requests.length;
    await drive(ctx, [engine], clock, customers);
    for (const id of customers) expect((await flowsOf(ctx.db, id, 'a2p'))[0]!.status).toBe('done');

    const a2p = ctx.sandbox.requests.slice(start).filter((r) => isA2p(r.path));
    // Creates, the brand and campaign polls (GETs) and the adopt-first lists: all of them are A2P requests.
    expect(a2p.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(4);
    expect(a2p.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(4);
    const times = a2p.map((r) => Date.parse(r.at)).sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // One request per SPACING_MS at most; seen at the sandbox, so half of it is left for network jitter.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SPACING_MS / 2);
  });
});
