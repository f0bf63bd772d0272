// Registrations the platform runs (A2P 10DLC, WhatsApp senders, templates) happen in its subaccount for the
// customer; a customer on its own connected Twilio account does them in its own Console.
import type { Db } from '../platform/db/db.ts';
import { AppError } from '../platform/errors.ts';

export async function assertPlatformSubaccountMode(db: Db, customerId: string, what: string): Promise<void> {
  const rows = await db.query<{ twilio_mode: string }>(`SELECT twilio_mode FROM isv.customers WHERE id = $1`, [customerId]);
  if (rows[0]?.twilio_mode === 'byoa') {
    throw new AppError(409, 'own_twilio_account', `This business sends through its own Twilio account, so ${what} is done in that account's Twilio Console, not here.`);
  }
}
