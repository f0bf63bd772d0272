// N customers ready to onboard, as the portal would leave them: the subaccount flow started, a standard A2P
// brand with its campaign submitted and approved by an admin, a WhatsApp template approved. Shared by
// bench/onboarding.ts and bench/cluster.ts.
import type { Db } from '../server/platform/db/db.ts';
import { startSubaccountFlow } from '../server/onboarding/onboarding.service.ts';
import { submitA2p } from '../server/brands/brands.service.ts';
import { createTemplate } from '../server/templates/templates.service.ts';
import { decideBrandApproval, decideTemplateApproval } from '../server/admin/admin.service.ts';

export async function seedOnboardings(db: Db, n: number): Promise<string[]> {
  const reviewer = (await db.query<{ id: string }>(`INSERT INTO isv.users (email) VALUES ('bench-admin@isv.example.com') RETURNING id`))[0]!.id;
  const principal = { userId: reviewer, email: 'bench-admin@isv.example.com', roles: ['admin' as const], emailVerified: true };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = await db.tx(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `INSERT INTO isv.customers (legal_name, business_type, ein, industry, website, regions_of_operation, address, contact)
         VALUES ($1, 'llc', '12-3456789', 'TECHNOLOGY', 'https://acme.example.com', '{USA_AND_CANADA}', $2::jsonb, $3::jsonb) RETURNING id`,
        [
          `Bench Customer ${i} LLC`,
          JSON.stringify({ street: '1 Main Street', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' }),
          JSON.stringify({ firstName: 'Jane', lastName: 'Doe', email: `jane${i}@acme.example.com`, phone: '+15125550100', jobTitle: 'CEO' }),
        ],
      );
      await startSubaccountFlow(tx, rows[0]!.id);
      return rows[0]!.id;
    });
    const { brand } = await submitA2p(db, id, {
      brandType: 'STANDARD',
      companyType: 'private',
      campaign: {
        useCase: 'ACCOUNT_NOTIFICATION',
        description: 'Order and delivery notifications for customers who bought from Acme Widgets online.',
        messageFlow: 'Customers opt in by ticking an unticked SMS box at checkout on acme.example.com/checkout.',
        sampleMessages: ['Acme: your order 1234 has shipped. Reply STOP to opt out.', 'Acme: your order 1234 was delivered. Reply HELP for help.'],
        hasEmbeddedLinks: false,
        hasEmbeddedPhone: false,
      },
    });
    await decideBrandApproval(db, principal, brand.id, { decision: 'approve' });
    const t = await createTemplate(db, id, { name: 'order_shipped', language: 'en', category: 'UTILITY', body: 'Hi {{1}}, your order has shipped.', variables: { '1': 'Jane' } });
    await decideTemplateApproval(db, principal, t.id, { decision: 'approve' });
    ids.push(id);
  }
  return ids;
}
