import { randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { parseConfig } from '../../server/platform/config.ts';
import { createKeyRing } from '../../server/platform/crypto/keyring.ts';
import { parseInput } from '../../server/platform/errors.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('the HTTP skeleton', () => {
  let db: TestDb;
  const logs = captureLogs('info');
  let app: express.Express;

  beforeAll(async () => {
    db = await createTestDb();
    const probe = express.Router();
    probe.post('/probe', (req, res) => {
      const input = parseInput(z.object({ name: z.string().min(2), phone: z.string().regex(/^\+[1-9]\d{6,14}$/) }), req.body);
      res.status(201).json(input);
    });
    probe.get('/boom', () => {
      throw new Error('SELECT secret FROM somewhere failed at line 42');
    });
    app = createApp({
      config: parseConfig({}),
      db,
      logger: logs.logger,
      keyRing: createKeyRing([{ id: 't', key: randomBytes(32) }]),
      routers: [{ path: '/test', router: probe }],
    });
  });
  afterAll(() => db.close());

  it('answers health and readiness once migrations are applied', async () => {
    expect((await request(app).get('/api/health')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/api/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('gives every request an id, echoed back and carried by its log line', async () => {
    const res = await request(app).get('/api/ready').set('X-Request-Id', 'req-abc-12345');
    expect(res.headers['x-request-id']).toBe('req-abc-12345');
    const generated = await request(app).get('/api/ready');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.records().some((r) => (r.req as { id?: string } | undefined)?.id === 'req-abc-12345')).toBe(true);
  });

  it('lists each invalid field with its path and reason', async () => {
    const res = await request(app).post('/api/test/probe').send({ name: 'x', phone: '555' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      code: 'validation_failed',
      detail: expect.any(String),
      errors: expect.arrayContaining([
        { path: 'name', message: expect.any(String) },
        { path: 'phone', message: expect.any(String) },
      ]),
    });
  });

  it('answers malformed JSON with 400 and an oversized body with 413, never 500', async () => {
    const bad = await request(app).post('/api/test/probe').set('Content-Type', 'application/json').send('{"name":');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('bad_request');
    const big = await request(app).post('/api/test/probe').send({ name: 'x'.repeat(200_000) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(app).get('/api/nowhere');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'route_not_found', detail: 'No route for GET /nowhere' });
  });

  it('turns an unknown error into an opaque 500 and logs its cause once', async () => {
    const before = logs.lines.length;
    const res = await request(app).get('/api/test/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 'internal_error', detail: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/SELECT|line 42/);
    const logged = logs.lines.slice(before).filter((l) => l.includes('SELECT secret'));
    expect(logged).toHaveLength(1);
  });

  it('sets security headers', async () => {
    const res = await request(app).get('/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('keeps authorization headers out of the logs', async () => {
    await request(app).get('/api/health-nope').set('Authorization', 'Bearer super-secret-token-value');
    expect(logs.text()).not.toContain('super-secret-token-value');
  });
});
