import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { buildTestApp } from '../helpers/auth.ts';
import { createDemoUsersOnFirstStart, demoUsersBanner } from '../../server/auth/demo-users.ts';

describe('demo accounts on first start', () => {
  let db: TestDb;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDb();
    dir = await mkdtemp(path.join(tmpdir(), 'isv-demo-'));
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates an admin, an operator and a customer once, whose printed passwords sign in', async () => {
    const users = await createDemoUsersOnFirstStart(db, { dataDir: dir });
    expect(users.map((u) => [u.email, u.roles])).toEqual([
      ['admin@demo.example.com', ['admin']],
      ['operator@demo.example.com', ['operator']],
      ['customer@demo.example.com', []],
    ]);
    expect(await createDemoUsersOnFirstStart(db, { dataDir: dir })).toEqual([]);
    const file = path.join(dir, 'demo-users.txt');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain(users[0]!.password);
    expect(demoUsersBanner(users, 'http://localhost:3000')).toContain(users[1]!.password);

    const { app } = buildTestApp(db);
    for (const u of users) {
      const res = await request(app).post('/api/auth/login').send({ email: u.email, password: u.password });
      expect(res.status).toBe(200);
      expect(res.body.user.roles).toEqual(u.roles);
    }
  });
});
