// Sandbox only: the ISV's own approved primary customer profile, which every secondary profile must reference
// (FACTS §5). Live mode takes TWILIO_PRIMARY_CUSTOMER_PROFILE_SID; the sandbox starts empty, so the first a2p flow
// builds one under the master account, named so every later run adopts it.
import type { Twilio } from 'twilio';
import type { Db } from '../../platform/db/db.ts';
import type { TwilioGateway } from '../../twilio/gateway.ts';
import { POLICY_SECONDARY_PROFILE } from './a2p-constants.ts';

const NAME = 'isv:primary-profile';

// One build at a time per gateway, i.e. per process: every engine of the process shares it. Processes that share
// one sandbox (cluster workers, instances on TWILIO_SANDBOX_URL) take turns under a transaction-scoped advisory
// lock, so the second finds and adopts what the first built instead of building its own pieces beside it.
const inFlight = new WeakMap<TwilioGateway, Promise<{ sid: string; status: string }>>();
const LOCK_KEY = 'isv:sandbox-primary-profile';

/** Finds (or builds and submits) the sandbox's primary profile; returns its SID and status. */
export function ensureSandboxPrimaryProfile(
  gateway: TwilioGateway,
  call: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
  db: Db,
): Promise<{ sid: string; status: string }> {
  let p = inFlight.get(gateway);
  if (!p) {
    p = db
      .tx(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [LOCK_KEY]);
        return build(gateway.master, call);
      })
      .finally(() => inFlight.delete(gateway));
    inFlight.set(gateway, p);
  }
  return p;
}

async function build(master: Twilio, call: <T>(op: string, fn: () => Promise<T>) => Promise<T>): Promise<{ sid: string; status: string }> {
  const th = master.trusthub.v1;
  const profiles = await call('primary.customer_profiles.list', () => th.customerProfiles.list({ friendlyName: NAME, limit: 20 }));
  const existing = profiles.filter((p) => p.friendlyName === NAME).sort((a, b) => +a.dateCreated - +b.dateCreated)[0];
  if (existing && existing.status !== 'draft') return { sid: existing.sid, status: existing.status };

  // Every piece is adopted by its friendly name, so a build interrupted by an error resumes where it stopped.
  const profile =
    existing ??
    (await call('primary.customer_profiles.create', () =>
      th.customerProfiles.create({ friendlyName: NAME, email: 'compliance@isv.example.com', policySid: POLICY_SECONDARY_PROFILE }),
    ));
  const address =
    (await call('primary.addresses.list', () => master.addresses.list({ friendlyName: NAME, limit: 20 }))).find((a) => a.friendlyName === NAME) ??
    (await call('primary.addresses.create', () =>
      master.addresses.create({ customerName: 'ISV Platform Inc', street: '101 Spear Street', city: 'San Francisco', region: 'CA', postalCode: '94105', isoCountry: 'US', friendlyName: NAME }),
    ));
  const endUsers = await call('primary.end_users.list', () => th.endUsers.list({ limit: 200 }));
  const endUser = async (suffix: string, type: string, attributes: Record<string, unknown>) =>
    endUsers.find((e) => e.friendlyName === `${NAME}:${suffix}`) ??
    (await call('primary.end_users.create', () => th.endUsers.create({ friendlyName: `${NAME}:${suffix}`, type, attributes })));
  const business = await endUser('business', 'customer_profile_business_information', {
    business_name: 'ISV Platform Inc',
    business_identity: 'isv_reseller_or_partner',
    business_type: 'Corporation',
    business_industry: 'TECHNOLOGY',
    business_registration_identifier: 'EIN',
    business_registration_number: '12-3456789',
    business_regions_of_operation: 'USA_AND_CANADA',
    website_url: 'https://isv.example.com',
  });
  const rep = await endUser('representative', 'authorized_representative_1', {
    first_name: 'Ada',
    last_name: 'Operator',
    email: 'ada@isv.example.com',
    phone_number: '+14155550100',
    business_title: 'CTO',
    job_position: 'Director',
  });
  const doc =
    (await call('primary.supporting_documents.list', () => th.supportingDocuments.list({ limit: 200 }))).find((d) => d.friendlyName === `${NAME}:address`) ??
    (await call('primary.supporting_documents.create', () =>
      th.supportingDocuments.create({ friendlyName: `${NAME}:address`, type: 'customer_profile_address', attributes: { address_sids: address.sid } }),
    ));
  const assignments = th.customerProfiles(profile.sid).customerProfilesEntityAssignments;
  const assigned = new Set((await call('primary.assignments.list', () => assignments.list({ limit: 100 }))).map((a) => a.objectSid));
  for (const objectSid of [business.sid, rep.sid, doc.sid]) {
    if (!assigned.has(objectSid)) await call('primary.assignments.create', () => assignments.create({ objectSid }));
  }
  await call('primary.evaluations.create', () =>
    th.customerProfiles(profile.sid).customerProfilesEvaluations.create({ policySid: POLICY_SECONDARY_PROFILE }),
  );
  const submitted = await call('primary.customer_profiles.submit', () => th.customerProfiles(profile.sid).update({ status: 'pending-review' }));
  return { sid: submitted.sid, status: submitted.status };
}
