// SQL for isv.brands, isv.campaigns and isv.numbers: the customer's A2P brand/campaign data, its review by an
// admin, the SIDs the a2p flow records, and the numbers it buys.
import type { Db } from '../platform/db/db.ts';
import { one } from '../platform/db/db.ts';

export type BrandStatus = 'awaiting_approval' | 'rejected_by_admin' | 'approved' | 'submitted' | 'registered' | 'failed';

export interface BrandRow {
  id: string;
  customer_id: string;
  brand_type: 'STANDARD' | 'SOLE_PROPRIETOR';
  data: Record<string, unknown>;
  rejected_data: Record<string, unknown> | null;
  status: BrandStatus;
  rejection_reason: string | null;
  customer_profile_sid: string | null;
  trust_product_sid: string | null;
  brand_sid: string | null;
  twilio_status: string | null;
  attempts: number;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface CampaignRow {
  id: string;
  customer_id: string;
  brand_id: string;
  data: Record<string, unknown>;
  status: 'pending' | 'submitted' | 'verified' | 'failed';
  messaging_service_sid: string | null;
  campaign_sid: string | null;
  twilio_status: string | null;
  errors: unknown;
  attempts: number;
  created_at: Date;
  updated_at: Date;
}

export interface NumberRow {
  id: string;
  customer_id: string;
  phone_number_sid: string;
  phone_number: string;
  messaging_service_sid: string | null;
  status: 'active' | 'released';
  created_at: Date;
}

export async function insertBrand(db: Db, b: { customerId: string; brandType: string; data: unknown }): Promise<BrandRow> {
  const rows = await db.query<BrandRow>(
    `INSERT INTO isv.brands (customer_id, brand_type, data) VALUES ($1, $2, $3::jsonb) RETURNING *`,
    [b.customerId, b.brandType, JSON.stringify(b.data)],
  );
  return rows[0]!;
}

export async function insertCampaign(db: Db, c: { customerId: string; brandId: string; data: unknown }): Promise<CampaignRow> {
  const rows = await db.query<CampaignRow>(
    `INSERT INTO isv.campaigns (customer_id, brand_id, data) VALUES ($1, $2, $3::jsonb) RETURNING *`,
    [c.customerId, c.brandId, JSON.stringify(c.data)],
  );
  return rows[0]!;
}

export async function findBrand(db: Db, id: string): Promise<BrandRow | undefined> {
  return one(db.query<BrandRow>(`SELECT * FROM isv.brands WHERE id = $1`, [id]));
}

export async function findLatestBrandByCustomer(db: Db, customerId: string): Promise<BrandRow | undefined> {
  return one(db.query<BrandRow>(`SELECT * FROM isv.brands WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 1`, [customerId]));
}

export async function findCampaignByBrand(db: Db, brandId: string): Promise<CampaignRow | undefined> {
  return one(db.query<CampaignRow>(`SELECT * FROM isv.campaigns WHERE brand_id = $1 ORDER BY created_at DESC LIMIT 1`, [brandId]));
}

/** The customer resubmits brand/campaign data: it waits for an admin again; the rejected data is kept for the diff. */
export async function resubmitBrandData(db: Db, id: string, data: unknown, brandType: string): Promise<BrandRow | undefined> {
  return one(
    db.query<BrandRow>(
      `UPDATE isv.brands
          SET rejected_data = CASE WHEN rejection_reason IS NOT NULL OR status IN ('rejected_by_admin', 'failed') THEN data ELSE rejected_data END,
              data = $2::jsonb, brand_type = $3, status = 'awaiting_approval', updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, JSON.stringify(data), brandType],
    ),
  );
}

export async function updateCampaignData(db: Db, brandId: string, data: unknown): Promise<void> {
  await db.query(`UPDATE isv.campaigns SET data = $2::jsonb, updated_at = now() WHERE brand_id = $1`, [brandId, JSON.stringify(data)]);
}

/** GUARD: only a brand still awaiting approval can be decided; zero rows → someone decided first. */
export async function decideBrand(
  db: Db,
  id: string,
  d: { status: 'approved' | 'rejected_by_admin'; reason: string | null; reviewerId: string | null },
): Promise<BrandRow | undefined> {
  return one(
    db.query<BrandRow>(
      `UPDATE isv.brands
          SET status = $2, rejection_reason = COALESCE($3, rejection_reason), rejected_data = CASE WHEN $2 = 'rejected_by_admin' THEN data ELSE rejected_data END,
              reviewed_by = $4, reviewed_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'awaiting_approval' RETURNING *`,
      [id, d.status, d.reason, d.reviewerId],
    ),
  );
}

export async function setBrandTwilio(
  db: Db,
  id: string,
  p: { status?: BrandStatus; customerProfileSid?: string; trustProductSid?: string; brandSid?: string; twilioStatus?: string; reason?: string | null; countAttempt?: boolean },
): Promise<void> {
  await db.query(
    `UPDATE isv.brands
        SET status = COALESCE($2, status), customer_profile_sid = COALESCE($3, customer_profile_sid),
            trust_product_sid = COALESCE($4, trust_product_sid), brand_sid = COALESCE($5, brand_sid),
            twilio_status = COALESCE($6, twilio_status),
            rejection_reason = CASE WHEN $7::boolean THEN $8 ELSE rejection_reason END,
            attempts = attempts + CASE WHEN $9::boolean THEN 1 ELSE 0 END, updated_at = now()
      WHERE id = $1`,
    [id, p.status ?? null, p.customerProfileSid ?? null, p.trustProductSid ?? null, p.brandSid ?? null, p.twilioStatus ?? null,
      p.reason !== undefined, p.reason ?? null, p.countAttempt ?? false],
  );
}

export async function setCampaignTwilio(
  db: Db,
  brandId: string,
  p: { status?: CampaignRow['status']; messagingServiceSid?: string; campaignSid?: string | null; twilioStatus?: string; errors?: unknown; countAttempt?: boolean },
): Promise<void> {
  await db.query(
    `UPDATE isv.campaigns
        SET status = COALESCE($2, status), messaging_service_sid = COALESCE($3, messaging_service_sid),
            campaign_sid = CASE WHEN $4::boolean THEN $5 ELSE campaign_sid END, twilio_status = COALESCE($6, twilio_status),
            errors = CASE WHEN $7::boolean THEN $8::jsonb ELSE errors END,
            attempts = attempts + CASE WHEN $9::boolean THEN 1 ELSE 0 END, updated_at = now()
      WHERE brand_id = $1`,
    [brandId, p.status ?? null, p.messagingServiceSid ?? null, p.campaignSid !== undefined, p.campaignSid ?? null,
      p.twilioStatus ?? null, p.errors !== undefined, p.errors === undefined ? null : JSON.stringify(p.errors), p.countAttempt ?? false],
  );
}

/** Idempotent on the Twilio SID: recording the same bought number twice keeps one row. */
export async function upsertNumber(
  db: Db,
  n: { customerId: string; phoneNumberSid: string; phoneNumber: string; messagingServiceSid: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO isv.numbers (customer_id, phone_number_sid, phone_number, messaging_service_sid) VALUES ($1, $2, $3, $4)
     ON CONFLICT (phone_number_sid) DO UPDATE SET messaging_service_sid = COALESCE(EXCLUDED.messaging_service_sid, isv.numbers.messaging_service_sid)`,
    [n.customerId, n.phoneNumberSid, n.phoneNumber, n.messagingServiceSid],
  );
}

export async function listNumbersByCustomer(db: Db, customerId: string): Promise<NumberRow[]> {
  return db.query<NumberRow>(`SELECT * FROM isv.numbers WHERE customer_id = $1 ORDER BY created_at, id`, [customerId]);
}

export interface PendingBrandRow extends BrandRow {
  customer_name: string;
  campaign_data: Record<string, unknown> | null;
}

export async function listBrandsAwaitingApproval(db: Db): Promise<PendingBrandRow[]> {
  return db.query<PendingBrandRow>(
    `SELECT b.*, c.legal_name AS customer_name,
            (SELECT data FROM isv.campaigns k WHERE k.brand_id = b.id ORDER BY k.created_at DESC LIMIT 1) AS campaign_data
       FROM isv.brands b JOIN isv.customers c ON c.id = b.customer_id
      WHERE b.status = 'awaiting_approval'
      ORDER BY b.updated_at, b.id`,
  );
}
