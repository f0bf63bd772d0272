// The list statements are built per combination of filters (issue 13): every combination, walked page by page,
// must give exactly the rows a plain filter-and-sort in JavaScript gives, for the message log, the opt-outs and
// the audit log. The bench (bench/messages.ts) checks the same at a million rows on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { listMessages, type MessageFilters } from '../../server/messaging/messaging.dao.ts';
import { listOptOuts } from '../../server/opt-outs/opt-outs.dao.ts';
import { listAuditLog, type AuditFilter } from '../../server/audit/audit.dao.ts';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const PAGE = 7;

/** Every subset of the given entries, as objects. */
function subsets<T extends object>(entries: [keyof T, T[keyof T]][]): Partial<T>[] {
  return Array.from({ length: 2 ** entries.length }, (_, mask) =>
    Object.fromEntries(entries.filter((_, i) => mask & (1 << i))) as Partial<T>,
  );
}

const newestFirst = (a: { at: number; id: string }, b: { at: number; id: string }) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('list filters, in every combination', () => {
  let db: TestDb;
  let a: string;
  let b: string;
  const actors: string[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    const customer = async (name: string) =>
      (
        await db.query<{ id: string }>(
          `INSERT INTO isv.customers (legal_name, business_type, ein, industry, website, address, contact)
           VALUES ($1, 'llc', '12-3456789', 'TECHNOLOGY', 'https://x.example.com', '{}', '{}') RETURNING id`,
          [name],
        )
      )[0]!.id;
    a = await customer('Filters A LLC');
    b = await customer('Filters B LLC');
    // Independent values per column, so most combinations match a few rows; two rows share each timestamp.
    await db.query(
      `INSERT INTO isv.messages (customer_id, account_sid, direction, channel, from_number, to_number, status, created_at)
       SELECT CASE WHEN g % 5 = 0 THEN $2::uuid ELSE $1::uuid END, 'AC' || repeat('a', 32),
              (ARRAY['inbound', 'outbound'])[1 + g % 2], (ARRAY['sms', 'whatsapp'])[1 + (g / 2) % 2],
              '+1555000000' || (g % 3), '+1555000001' || ((g / 3) % 3),
              (ARRAY['delivered', 'failed', 'received'])[1 + (g / 5) % 3],
              $3::timestamptz - (g / 2) * interval '1 minute'
         FROM generate_series(1, 300) g`,
      [a, b, new Date(T0).toISOString()],
    );
    await db.query(
      `INSERT INTO isv.opt_outs (customer_id, phone_number, channel, status, source)
       SELECT CASE WHEN g % 5 = 0 THEN $2::uuid ELSE $1::uuid END, '+1666000' || lpad((g / 2)::text, 4, '0'),
              (ARRAY['sms', 'whatsapp'])[1 + g % 2], (ARRAY['opted_out', 'opted_in', 'opted_out'])[1 + (g / 3) % 3], 'api'
         FROM generate_series(1, 200) g`,
      [a, b],
    );
    for (let i = 0; i < 2; i++) {
      actors.push((await db.query<{ id: string }>(`INSERT INTO isv.users (email) VALUES ($1) RETURNING id`, [`actor${i}-${Date.now()}@example.test`]))[0]!.id);
    }
    await db.query(
      `INSERT INTO isv.audit_log (at, actor_id, actor_email, action, target_type, target_id, customer_id)
       SELECT $4::timestamptz - (g / 2) * interval '1 minute', CASE WHEN g % 4 = 0 THEN NULL ELSE (ARRAY[$1::uuid, $2::uuid])[1 + g % 2] END,
              (ARRAY['one@example.test', 'two@example.test'])[1 + (g / 2) % 2],
              (ARRAY['brand.approved', 'brand.rejected', 'template.approved', 'brand_x.done'])[1 + (g / 3) % 4],
              (ARRAY['brand', 'template'])[1 + (g / 7) % 2], 't' || (g % 3), CASE WHEN g % 3 = 0 THEN $3::uuid END
         FROM generate_series(1, 240) g`,
      [actors[0], actors[1], a, new Date(T0).toISOString()],
    );
  });
  afterAll(() => db?.close());

  it('pages the message log of every filter combination exactly like the rows filtered and sorted by hand', async () => {
    const rows = (
      await db.query<{ id: string; customer_id: string; status: string; direction: string; channel: string; to_number: string; from_number: string; created_at: Date }>(
        `SELECT id, customer_id, status, direction, channel, to_number, from_number, created_at FROM isv.messages`,
      )
    ).map((r) => ({ ...r, at: r.created_at.getTime() }));
    const since = new Date(T0 - 100 * 60_000).toISOString();
    const until = new Date(T0 - 20 * 60_000).toISOString();
    const combos = subsets<MessageFilters>([
      ['status', 'failed'],
      ['direction', 'inbound'],
      ['channel', 'whatsapp'],
      ['to', '+15550000111'],
      ['from', '+15550000001'],
      ['since', since],
      ['until', until],
    ]);
    let nonEmpty = 0;
    for (const f of combos) {
      const want = rows
        .filter(
          (r) =>
            r.customer_id === a &&
            (f.status === undefined || r.status === f.status) &&
            (f.direction === undefined || r.direction === f.direction) &&
            (f.channel === undefined || r.channel === f.channel) &&
            (f.to === undefined || r.to_number === f.to) &&
            (f.from === undefined || r.from_number === f.from) &&
            (f.since === undefined || r.at >= Date.parse(f.since)) &&
            (f.until === undefined || r.at < Date.parse(f.until)),
        )
        .sort(newestFirst)
        .map((r) => r.id);
      const got: string[] = [];
      let after: { createdAt: string; id: string } | undefined;
      for (;;) {
        const page = await listMessages(db, a, f, after, PAGE);
        got.push(...page.map((r) => r.id));
        const last = page.at(-1);
        if (page.length < PAGE || !last) break;
        after = { createdAt: last.cursor_ts, id: last.id };
      }
      expect({ filters: f, ids: got }).toEqual({ filters: f, ids: want });
      if (want.length) nonEmpty++;
    }
    // The fixture is not vacuous: many combinations match something.
    expect(nonEmpty).toBeGreaterThan(combos.length / 3);
  });

  it('pages the opt-outs of every filter combination exactly like the rows filtered and sorted by hand', async () => {
    const rows = await db.query<{ customer_id: string; phone_number: string; channel: string; status: string }>(
      `SELECT customer_id, phone_number, channel, status FROM isv.opt_outs`,
    );
    const key = (r: { phone_number: string; channel: string }) => `${r.phone_number} ${r.channel}`;
    for (const f of subsets<{ status: 'opted_in' | 'opted_out'; channel: 'sms' | 'whatsapp' }>([['status', 'opted_in'], ['channel', 'whatsapp']])) {
      const want = rows
        .filter((r) => r.customer_id === a && (f.status === undefined || r.status === f.status) && (f.channel === undefined || r.channel === f.channel))
        .sort((x, y) => (x.phone_number === y.phone_number ? (x.channel < y.channel ? -1 : 1) : x.phone_number < y.phone_number ? -1 : 1))
        .map(key);
      const got: string[] = [];
      let after: { phoneNumber: string; channel: string } | undefined;
      for (;;) {
        const page = await listOptOuts(db, a, { ...f, after, limit: PAGE });
        got.push(...page.map(key));
        const last = page.at(-1);
        if (page.length < PAGE || !last) break;
        after = { phoneNumber: last.phone_number, channel: last.channel };
      }
      expect({ filters: f, keys: got }).toEqual({ filters: f, keys: want });
    }
  });

  it('pages the audit log of every filter combination exactly like the rows filtered and sorted by hand, prefixes taken literally', async () => {
    const rows = (
      await db.query<{ id: string; at: Date; actor_id: string | null; actor_email: string; action: string; target_type: string; target_id: string; customer_id: string | null }>(
        `SELECT id, at, actor_id, actor_email, action, target_type, target_id, customer_id FROM isv.audit_log`,
      )
    ).map((r) => ({ ...r, atMs: r.at.getTime() }));
    const since = new Date(T0 - 90 * 60_000);
    const until = new Date(T0 - 10 * 60_000);
    let nonEmpty = 0;
    let combos = 0;
    // `brand_x.*` must not match `brand.…` through LIKE's `_` wildcard.
    for (const action of [undefined, 'brand.rejected', 'brand.*', 'brand_x.*']) {
      for (const f of subsets<Omit<AuditFilter, 'limit'>>([
        ['actorId', actors[0]],
        ['actorEmail', 'two@example.test'],
        ['targetType', 'brand'],
        ['targetId', 't1'],
        ['customerId', a],
        ['since', since],
        ['until', until],
      ])) {
        const filters = action ? { ...f, action } : f;
        const want = rows
          .filter(
            (r) =>
              (f.actorId === undefined || r.actor_id === f.actorId) &&
              (f.actorEmail === undefined || r.actor_email === f.actorEmail) &&
              (action === undefined || (action.endsWith('.*') ? r.action.startsWith(action.slice(0, -1)) : r.action === action)) &&
              (f.targetType === undefined || r.target_type === f.targetType) &&
              (f.targetId === undefined || r.target_id === f.targetId) &&
              (f.customerId === undefined || r.customer_id === f.customerId) &&
              (f.since === undefined || r.atMs >= f.since.getTime()) &&
              (f.until === undefined || r.atMs < f.until.getTime()),
          )
          .map((r) => ({ at: r.atMs, id: r.id }))
          .sort(newestFirst)
          .map((r) => r.id);
        const got: string[] = [];
        let after: { at: string; id: string } | undefined;
        for (;;) {
          const page = await listAuditLog(db, { ...filters, after, limit: PAGE });
          got.push(...page.map((r) => r.id));
          const last = page.at(-1);
          if (page.length < PAGE || !last) break;
          after = { at: last.cursor_at, id: last.id };
        }
        expect({ filters, ids: got }).toEqual({ filters, ids: want });
        combos++;
        if (want.length) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(combos / 4);
  });
});
