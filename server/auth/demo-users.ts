// The embedded default's first start: three demo accounts (admin, operator, customer) with random passwords,
// printed once and kept in DATA_DIR/demo-users.txt (owner-only), their emails pre-verified. Never in live mode or with Supabase Auth.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../platform/db/db.ts';
import type { PlatformRole } from '../platform/auth/principal.ts';
import { appendAudit } from '../audit/audit.dao.ts';
import { grantPlatformRole, insertUser } from './users.dao.ts';
import { hashPassword } from './password.ts';

export interface DemoUser {
  email: string;
  password: string;
  roles: PlatformRole[];
}

const DEMO: { email: string; roles: PlatformRole[] }[] = [
  { email: 'admin@demo.example.com', roles: ['admin'] },
  { email: 'operator@demo.example.com', roles: ['operator'] },
  { email: 'customer@demo.example.com', roles: [] },
];

async function countUsers(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM isv.users`);
  return rows[0]!.n;
}

/** Creates the demo accounts when the database has no user at all; returns them (empty when it did nothing). */
export async function createDemoUsersOnFirstStart(db: Db, opts: { dataDir: string }): Promise<DemoUser[]> {
  if ((await countUsers(db)) > 0) return [];
  const users: DemoUser[] = DEMO.map((d) => ({ ...d, password: randomBytes(12).toString('base64url') }));
  const hashes = await Promise.all(users.map((u) => hashPassword(u.password)));
  const created = await db.tx(async (tx) => {
    // Another instance starting at the same moment may have done it: a unique email makes this a no-op then.
    const out: DemoUser[] = [];
    for (const [i, u] of users.entries()) {
      const row = await insertUser(tx, { email: u.email, passwordHash: hashes[i]!, emailVerified: true });
      if (!row) continue;
      for (const role of u.roles) await grantPlatformRole(tx, row.id, role);
      await appendAudit(tx, { actor: null, action: 'user.demo_created', targetType: 'user', targetId: row.id, after: { email: u.email, roles: u.roles } });
      out.push(u);
    }
    return out;
  });
  if (created.length) {
    const text = created.map((u) => `${u.email}\t${u.password}\t${u.roles.join(',') || 'customer'}`).join('\n');
    await writeFile(path.join(opts.dataDir, 'demo-users.txt'), `${text}\n`, { mode: 0o600 });
  }
  return created;
}

/** The banner main.ts prints to the terminal (not to the log, which must never carry passwords). */
export function demoUsersBanner(users: DemoUser[], url: string): string {
  const width = Math.max(...users.map((u) => u.email.length));
  return [
    '',
    `Demo accounts for ${url} (also in DATA_DIR/demo-users.txt):`,
    ...users.map((u) => `  ${u.email.padEnd(width)}  ${u.password}  ${u.roles.join(', ') || 'customer'}`),
    '',
  ].join('\n');
}
