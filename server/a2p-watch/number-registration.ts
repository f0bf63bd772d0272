// Per-number A2P 10DLC registration. After the campaign is verified, Twilio registers each number of the
// messaging service to it on its own; that takes time and can fail, and until it succeeds US traffic from the
// number ends `undelivered` with 30034. Twilio reports the state only through Event Streams
// (`com.twilio.messaging.compliance.number-registration.*`, data.externalstatus / data.failurereason;
// DOCS /docs/events/event-types/a2p/number-registration): the REST PhoneNumber resource of a service has no such
// field. This file records those events and answers whether a customer's numbers may send.
import type { Db } from '../platform/db/db.ts';

export type NumberRegistration = 'pending' | 'registered' | 'failed';
export const NUMBER_REGISTRATION_EVENT = 'com.twilio.messaging.compliance.number-registration';

export interface NumberRegistrationEvent {
  accountSid: string;
  phoneNumberSid: string;
  status: NumberRegistration;
  reason: string | null;
  at: Date;
}

/**
 * One Event Streams CloudEvent → the number's registration state, or undefined for any other event. The state
 * comes from the event type's last word (pending, failed; anything else of the family reports success) unless
 * `externalstatus` says pending or failed.
 */
export function parseNumberRegistrationEvent(e: unknown): NumberRegistrationEvent | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const { type, data, time } = e as { type?: unknown; data?: Record<string, unknown>; time?: unknown };
  if (typeof type !== 'string' || !type.startsWith(`${NUMBER_REGISTRATION_EVENT}.`) || !data || typeof data !== 'object') return undefined;
  const accountSid = data.accountsid;
  const phoneNumberSid = data.phonenumbersid;
  if (typeof accountSid !== 'string' || !/^AC[0-9a-f]{32}$/.test(accountSid)) return undefined;
  if (typeof phoneNumberSid !== 'string' || !/^PN[0-9a-f]{32}$/.test(phoneNumberSid)) return undefined;
  const word = type.slice(NUMBER_REGISTRATION_EVENT.length + 1).toLowerCase();
  const external = String(data.externalstatus ?? '').toLowerCase();
  const status: NumberRegistration =
    word === 'failed' || external === 'failed' ? 'failed' : word === 'pending' || external === 'pending' ? 'pending' : 'registered';
  const ts = typeof data.updateddate === 'number' ? data.updateddate : typeof data.timestamp === 'number' ? data.timestamp : typeof time === 'string' ? Date.parse(time) : NaN;
  const reason = typeof data.failurereason === 'string' && data.failurereason ? data.failurereason.slice(0, 1000) : null;
  return { accountSid, phoneNumberSid, status, reason: status === 'failed' ? reason : null, at: Number.isFinite(ts) ? new Date(ts) : new Date() };
}

/**
 * Records a number's registration state unless a later event was recorded already (Event Streams does not
 * promise order). Returns the customer whose number it is, or undefined for a number the platform does not know.
 */
export async function recordNumberRegistration(db: Db, e: NumberRegistrationEvent): Promise<string | undefined> {
  const rows = await db.query<{ customer_id: string }>(
    `UPDATE isv.numbers SET a2p_registration_status = $2, a2p_registration_reason = $3, a2p_registration_at = $4::timestamptz
      WHERE phone_number_sid = $1
        -- Same instant: a decision wins over pending (a zero review delay decides in the millisecond it started).
        AND (a2p_registration_at IS NULL OR a2p_registration_at < $4::timestamptz OR (a2p_registration_at = $4::timestamptz AND $2 <> 'pending'))
      RETURNING customer_id`,
    [e.phoneNumberSid, e.status, e.reason, e.at.toISOString()],
  );
  return rows[0]?.customer_id;
}

export async function findNumberRegistration(db: Db, phoneNumberSid: string): Promise<{ status: NumberRegistration | null; reason: string | null } | undefined> {
  const rows = await db.query<{ a2p_registration_status: NumberRegistration | null; a2p_registration_reason: string | null }>(
    `SELECT a2p_registration_status, a2p_registration_reason FROM isv.numbers WHERE phone_number_sid = $1`,
    [phoneNumberSid],
  );
  return rows[0] && { status: rows[0].a2p_registration_status, reason: rows[0].a2p_registration_reason };
}

/** Forgets a failed registration before the number is submitted again (the next event tells the new state). */
export async function resetNumberRegistration(db: Db, phoneNumberSid: string): Promise<void> {
  await db.query(`UPDATE isv.numbers SET a2p_registration_status = NULL, a2p_registration_reason = NULL WHERE phone_number_sid = $1`, [phoneNumberSid]);
}

/**
 * Why the customer's numbers on a messaging service cannot text yet, or undefined when one of them can (or the
 * platform does not track them). Twilio picks the sender from the service, so one registered number is enough.
 */
export async function numberRegistrationBlock(db: Db, customerId: string, messagingServiceSid: string): Promise<{ code: 'a2p_number_unregistered' | 'number_registration_pending'; detail: string } | undefined> {
  const rows = await db.query<{ phone_number: string; a2p_registration_status: NumberRegistration | null }>(
    `SELECT phone_number, a2p_registration_status FROM isv.numbers
      WHERE customer_id = $1 AND messaging_service_sid = $2 AND status = 'active' ORDER BY created_at`,
    [customerId, messagingServiceSid],
  );
  if (rows.length === 0 || rows.some((r) => r.a2p_registration_status === 'registered' || r.a2p_registration_status === null)) return undefined;
  const numbers = rows.map((r) => r.phone_number).join(', ');
  const failed = rows.every((r) => r.a2p_registration_status === 'failed');
  // A failed registration pauses sending (the portal's banner shows it); a pending one is onboarding not finished.
  return {
    code: failed ? 'a2p_number_unregistered' : 'number_registration_pending',
    detail: failed
      ? `Your number ${numbers} could not be registered to your US texting campaign yet, so carriers would block your texts. Our team is registering it again; you do not need to do anything.`
      : `Your number ${numbers} is still being registered to your US texting campaign; carriers block texts from it until that finishes, usually within a few minutes. Try again shortly.`,
  };
}
