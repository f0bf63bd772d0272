// The subaccounts DAO: tokens encrypted at rest and bound to their account SID, rows without ciphertext.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing, DecryptionError, type KeyRing } from '../../server/platform/crypto/keyring.ts';
import { isUniqueViolation, sqlState, SQLSTATE } from '../../server/platform/db/db.ts';
import { rotateSecrets } from '../../server/platform/crypto/rotate.ts';
import {
  findSubaccountByCustomer,
  findSubaccountBySid,
  insertSubaccount,
  listSubaccounts,
  readSubaccountAuthToken,
  updateSubaccountAuthToken,
  updateSubaccountStatus,
} from '../../server/subaccounts/subaccounts.dao.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { fakeSid, insertCustomerRow } from './fixtures.ts';

describe('subaccounts DAO', () => {
  let db: TestDb;
  let keyRing: KeyRing;
  const k1 = { id: 'k1', key: randomBytes(32) };
  beforeAll(async () => {
    db = await createTestDb();
    keyRing = createKeyRing([k1]);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function newSubaccount(token = randomBytes(16).toString('hex')) {
    const customerId = await insertCustomerRow(db);
    const accountSid = fakeSid('AC');
    const row = await insertSubaccount(db, keyRing, { customerId, accountSid, friendlyName: `isv:${customerId}`, authToken: token });
    return { customerId, accountSid, token, row };
  }

  it('stores a subaccount with its token encrypted and never returns the ciphertext', async () => {
    const { customerId, accountSid, token, row } = await newSubaccount();
    expect(row).toMatchObject({ customer_id: customerId, account_sid: accountSid, status: 'active', friendly_name: `isv:${customerId}` });
    expect(Object.keys(row).sort()).toEqual(['account_sid', 'created_at', 'customer_id', 'friendly_name', 'id', 'status', 'updated_at']);
    const [raw] = await db.query<Record<string, unknown>>(`SELECT * FROM isv.twilio_subaccounts WHERE account_sid = $1`, [accountSid]);
    expect(JSON.stringify(raw)).not.toContain(token);
    expect(raw!.auth_token_key_id).toBe('k1');
    expect(await readSubaccountAuthToken(db, keyRing, accountSid)).toBe(token);
  });

  it('finds a subaccount by customer and by SID, and lists them', async () => {
    const a = await newSubaccount();
    const b = await newSubaccount();
    expect((await findSubaccountByCustomer(db, a.customerId))?.account_sid).toBe(a.accountSid);
    expect((await findSubaccountBySid(db, b.accountSid))?.customer_id).toBe(b.customerId);
    expect(await findSubaccountBySid(db, fakeSid('AC'))).toBeUndefined();
    const sids = (await listSubaccounts(db)).map((r) => r.account_sid);
    expect(sids).toEqual(expect.arrayContaining([a.accountSid, b.accountSid]));
    expect(JSON.stringify(await listSubaccounts(db))).not.toContain(a.token);
  });

  it('refuses a second subaccount for the same customer', async () => {
    const a = await newSubaccount();
    const err = await insertSubaccount(db, keyRing, { customerId: a.customerId, accountSid: fakeSid('AC'), friendlyName: 'x', authToken: 'y' }).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('updates the status and refuses values outside Twilio\'s lifecycle', async () => {
    const a = await newSubaccount();
    expect((await updateSubaccountStatus(db, a.accountSid, 'suspended'))?.status).toBe('suspended');
    expect(await updateSubaccountStatus(db, fakeSid('AC'), 'closed')).toBeUndefined();
    const err = await updateSubaccountStatus(db, a.accountSid, 'deleted' as never).catch((e: unknown) => e);
    expect(sqlState(err)).toBe(SQLSTATE.CHECK_VIOLATION);
  });

  it('replaces the token and reads the new one', async () => {
    const a = await newSubaccount();
    expect(await updateSubaccountAuthToken(db, keyRing, a.accountSid, 'rotated-token-0000000')).toBe(true);
    expect(await readSubaccountAuthToken(db, keyRing, a.accountSid)).toBe('rotated-token-0000000');
    expect(await updateSubaccountAuthToken(db, keyRing, fakeSid('AC'), 'x')).toBe(false);
    expect(await readSubaccountAuthToken(db, keyRing, fakeSid('AC'))).toBeUndefined();
  });

  it('reads the same token after keys:rotate re-encrypts it under a new key', async () => {
    const a = await newSubaccount('token-before-rotation-0000');
    const rotated = createKeyRing([{ id: 'k2', key: randomBytes(32) }, k1]);
    const report = await rotateSecrets(db, rotated);
    expect(report.find((r) => r.table === 'isv.twilio_subaccounts')?.reencrypted).toBeGreaterThan(0);
    const [raw] = await db.query<{ auth_token_key_id: string }>(`SELECT auth_token_key_id FROM isv.twilio_subaccounts WHERE account_sid = $1`, [a.accountSid]);
    expect(raw!.auth_token_key_id).toBe('k2');
    expect(await readSubaccountAuthToken(db, rotated, a.accountSid)).toBe('token-before-rotation-0000');
    // The remaining tests in this file write and read with the rotated ring.
    keyRing = rotated;
  });

  it('cannot decrypt a token copied onto another subaccount row', async () => {
    const a = await newSubaccount();
    const b = await newSubaccount();
    await db.query(
      `UPDATE isv.twilio_subaccounts t SET auth_token_key_id = s.auth_token_key_id, auth_token_ciphertext = s.auth_token_ciphertext
         FROM isv.twilio_subaccounts s WHERE s.account_sid = $1 AND t.account_sid = $2`,
      [a.accountSid, b.accountSid],
    );
    await expect(readSubaccountAuthToken(db, keyRing, b.accountSid)).rejects.toBeInstanceOf(DecryptionError);
  });
});
