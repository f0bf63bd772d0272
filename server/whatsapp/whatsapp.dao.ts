// SQL for isv.whatsapp_senders: the customer's WhatsApp numbers, their profile and what Twilio says about them.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';

export interface SenderRow {
  id: string;
  customer_id: string;
  phone_number: string;
  profile: Record<string, unknown>;
  waba_id: string | null;
  sender_sid: string | null;
  status: 'pending' | 'creating' | 'pending_verification' | 'verifying' | 'online' | 'offline' | 'failed';
  offline_reasons: unknown;
  created_at: Date;
  updated_at: Date;
}

/** Returns undefined when the customer already registered this number (unique per customer). */
export async function insertSender(
  db: Db,
  s: { customerId: string; phoneNumber: string; profile: unknown; wabaId: string | null },
): Promise<SenderRow | undefined> {
  return one(
    db.query<SenderRow>(
      `INSERT INTO isv.whatsapp_senders (customer_id, phone_number, profile, waba_id) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (customer_id, phone_number) DO NOTHING RETURNING *`,
      [s.customerId, s.phoneNumber, JSON.stringify(s.profile), s.wabaId],
    ),
  );
}

export async function findSender(db: Db, id: string): Promise<SenderRow | undefined> {
  return one(db.query<SenderRow>(`SELECT * FROM isv.whatsapp_senders WHERE id = $1`, [id]));
}

export async function findSenderByPhone(db: Db, customerId: string, phoneNumber: string): Promise<SenderRow | undefined> {
  return one(db.query<SenderRow>(`SELECT * FROM isv.whatsapp_senders WHERE customer_id = $1 AND phone_number = $2`, [customerId, phoneNumber]));
}

export async function listSendersByCustomer(db: Db, customerId: string): Promise<SenderRow[]> {
  return db.query<SenderRow>(`SELECT * FROM isv.whatsapp_senders WHERE customer_id = $1 ORDER BY created_at, id`, [customerId]);
}

export async function updateSenderProfile(db: Db, id: string, profile: unknown, wabaId: string | null): Promise<void> {
  await db.query(`UPDATE isv.whatsapp_senders SET profile = $2::jsonb, waba_id = COALESCE($3, waba_id), updated_at = now() WHERE id = $1`, [
    id,
    JSON.stringify(profile),
    wabaId,
  ]);
}

export async function updateSenderTwilio(
  db: Db,
  id: string,
  p: { senderSid?: string; status?: SenderRow['status']; offlineReasons?: unknown },
): Promise<void> {
  await db.query(
    `UPDATE isv.whatsapp_senders
        SET sender_sid = COALESCE($2, sender_sid), status = COALESCE($3, status),
            offline_reasons = CASE WHEN $4::boolean THEN $5::jsonb ELSE offline_reasons END, updated_at = now()
      WHERE id = $1`,
    [id, p.senderSid ?? null, p.status ?? null, p.offlineReasons !== undefined, p.offlineReasons == null ? null : JSON.stringify(p.offlineReasons)],
  );
}
