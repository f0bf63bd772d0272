// Onboarding test fixtures: customers made with SQL (independent of the customers API), an engine on a movable
// clock, a driver that alternates engine drains with sandbox reviews, and valid A2P / template / sender inputs.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/platform/db/db.ts';
import { createOnboardingEngine, type EngineHooks, type EngineOptions, type OnboardingEngine } from '../../server/onboarding/engine.ts';
import { startSubaccountFlow } from '../../server/onboarding/onboarding.service.ts';
import { listFlowsByCustomer, type FlowRow } from '../../server/onboarding/flows.dao.ts';
import type { Principal } from '../../server/platform/auth/principal.ts';
import type { A2pRequest } from '../../shared/a2p.ts';
import type { TestContext } from '../helpers/context.ts';
import { submitA2p } from '../../server/brands/brands.service.ts';
import { decideBrandApproval, decideTemplateApproval } from '../../server/admin/admin.service.ts';
import { registerSender, verifySender } from '../../server/whatsapp/whatsapp.service.ts';
import { createTemplate } from '../../server/templates/templates.service.ts';

export interface Clock {
  now: () => Date;
  advance(ms: number): void;
}

/** Starts a little ahead of the wall clock, so rows stamped with the database's now() are already due. */
export function movableClock(start = Date.now() + 1000): Clock {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

export interface CustomerInput {
  legalName?: string;
  businessType?: 'sole_proprietor' | 'llc' | 'corporation' | 'partnership' | 'non_profit' | 'government';
  displayName?: string;
  contactName?: string;
}

/** Inserts a customer row (as the customers API would) and starts its subaccount flow in the same transaction. */
export async function createCustomer(db: Db, c: CustomerInput = {}): Promise<string> {
  const businessType = c.businessType ?? 'llc';
  return db.tx(async (tx) => {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO isv.customers (legal_name, display_name, business_type, ein, industry, website, regions_of_operation, address, contact)
       VALUES ($1, $2, $3, $4, 'TECHNOLOGY', 'https://acme.example.com', '{USA_AND_CANADA}', $5::jsonb, $6::jsonb) RETURNING id`,
      [
        c.legalName ?? 'Acme Widgets LLC',
        c.displayName ?? null,
        businessType,
        businessType === 'sole_proprietor' ? null : '12-3456789',
        JSON.stringify({ street: '1 Main Street', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' }),
        JSON.stringify({ firstName: c.contactName ?? 'Jane', lastName: 'Doe', email: 'jane@acme.example.com', phone: '+15125550100', jobTitle: 'CEO' }),
      ],
    );
    const id = rows[0]!.id;
    await startSubaccountFlow(tx, id);
    return id;
  });
}

export function a2pRequest(over: Omit<Partial<A2pRequest>, 'campaign'> & { campaign?: Partial<A2pRequest['campaign']> } = {}): A2pRequest {
  const soleProp = over.brandType === 'SOLE_PROPRIETOR';
  return {
    brandType: 'STANDARD',
    companyType: 'private',
    areaCode: '512',
    ...over,
    campaign: {
      useCase: soleProp ? 'SOLE_PROPRIETOR' : 'ACCOUNT_NOTIFICATION',
      description: 'Order and delivery notifications for customers who bought from Acme Widgets online.',
      messageFlow: 'Customers opt in by ticking an unticked SMS box at checkout on acme.example.com/checkout.',
      sampleMessages: ['Acme: your order 1234 has shipped. Reply STOP to opt out.', 'Acme: your order 1234 was delivered. Reply HELP for help.'],
      hasEmbeddedLinks: false,
      hasEmbeddedPhone: false,
      optInMessage: 'Acme: you are subscribed to order updates. Reply STOP to opt out.',
      ...over.campaign,
    },
  };
}

export const admin: Principal = { userId: randomUUID(), email: 'admin@isv.example.com', roles: ['admin'], emailVerified: true };

export async function insertAdminUser(db: Db): Promise<Principal> {
  const email = `admin-${randomUUID()}@isv.example.com`;
  const rows = await db.query<{ id: string }>(`INSERT INTO isv.users (email) VALUES ($1) RETURNING id`, [email]);
  return { userId: rows[0]!.id, email, roles: ['admin'], emailVerified: true };
}

export function testEngine(
  ctx: TestContext,
  clock: Clock,
  o: { hooks?: EngineHooks; owner?: string; concurrency?: number; leaseMs?: number; definitions?: EngineOptions['definitions']; random?: () => number } = {},
): OnboardingEngine {
  return createOnboardingEngine({
    db: ctx.db,
    twilio: ctx.twilio,
    keyRing: ctx.keyRing,
    config: ctx.config,
    logger: ctx.logger,
    now: clock.now,
    pollMinMs: 1000,
    pollMaxMs: 4000,
    leaseMs: o.leaseMs ?? 30_000,
    concurrency: o.concurrency ?? 8,
    hooks: o.hooks,
    owner: o.owner,
    definitions: o.definitions,
    random: o.random,
    onCredentialsRejected: (accountSid) => ctx.features.connections.credentialsRejected(accountSid),
  });
}

const settled = (f: FlowRow) => f.status !== 'in_progress' && f.status !== 'waiting_on_twilio';

/**
 * Runs engines and the sandbox's reviews until every flow of the customers has stopped moving (done, parked or
 * failed), moving the engines' clock past the longest poll interval between rounds. Returns the flows.
 */
export async function drive(
  ctx: TestContext,
  engines: OnboardingEngine[],
  clock: Clock,
  customerIds: string[],
  maxRounds = 60,
): Promise<FlowRow[]> {
  let flows: FlowRow[] = [];
  for (let round = 0; round < maxRounds; round++) {
    await Promise.all(engines.map((e) => e.drain()));
    await ctx.sandbox.advanceReviews();
    // Event Streams deliveries (A2P number registration) reach the platform's sink.
    await ctx.sandbox.flushCallbacks();
    flows = (await Promise.all(customerIds.map((id) => listFlowsByCustomer(ctx.db, id)))).flat();
    if (flows.every(settled)) return flows;
    clock.advance(5_000);
  }
  return flows;
}

export async function flowsOf(db: Db, customerId: string, kind?: FlowRow['kind']): Promise<FlowRow[]> {
  return (await listFlowsByCustomer(db, customerId)).filter((f) => !kind || f.kind === kind);
}

/**
 * Every flow kind for each customer: A2P (approved by an admin), a WhatsApp sender (its OTP entered when asked)
 * and a template (approved), driven to the end. Returns the flows.
 */
export async function onboardFully(ctx: TestContext, engines: OnboardingEngine[], clock: Clock, customerIds: string[]): Promise<FlowRow[]> {
  const reviewer = await insertAdminUser(ctx.db);
  const senders: { customerId: string; senderId: string }[] = [];
  let n = 0;
  for (const customerId of customerIds) {
    const { brand } = await submitA2p(ctx.db, customerId, a2pRequest(), clock.now());
    await decideBrandApproval(ctx.db, reviewer, brand.id, { decision: 'approve' }, clock.now());
    const phone = `+1512555${String(2000 + n++).padStart(4, '0')}`;
    const { sender } = await registerSender(ctx.db, customerId, { phoneNumber: phone, profile: { name: 'Acme Widgets' } }, clock.now());
    senders.push({ customerId, senderId: sender.id });
    const t = await createTemplate(ctx.db, customerId, { name: 'order_shipped', language: 'en', category: 'UTILITY', body: 'Hi {{1}}, your order has shipped.', variables: { '1': 'Jane' } }, clock.now());
    await decideTemplateApproval(ctx.db, reviewer, t.id, { decision: 'approve' }, clock.now());
  }
  let flows = await drive(ctx, engines, clock, customerIds, 200);
  for (const s of senders) {
    const flow = flows.find((f) => f.subject_id === s.senderId);
    if (flow?.state === 'await_otp') await verifySender(ctx.db, s.customerId, s.senderId, '123456', clock.now());
  }
  flows = await drive(ctx, engines, clock, customerIds, 200);
  return flows;
}
