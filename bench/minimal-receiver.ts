// The reference receiver of `bench:webhooks` (issue 13): what an ISV would write by hand. Express 5 with
// `express.urlencoded({ extended: false })`, `twilio.validateRequest` with the tenant's token from an in-memory
// map, one `INSERT … ON CONFLICT DO NOTHING` per request through the `postgres` driver (pool of 10), answering
// `<Response/>`. Run in its own process by bench/webhooks.ts:
//   minimal-receiver.ts <database url> <public base url> <port> <tokens file: JSON {AccountSid: token}>
// Prints `listening <port>` when ready; exits on SIGTERM after closing the pool.
import { readFileSync } from 'node:fs';
import express from 'express';
import postgres from 'postgres';
import twilio from 'twilio';

const [databaseUrl, publicBaseUrl, port, tokensFile] = process.argv.slice(2) as [string, string, string, string];
const tokens = new Map(Object.entries(JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, string>));
const sql = postgres(databaseUrl, { max: 10 });

const app = express();
app.use(express.urlencoded({ extended: false }));
app.post('/api/isv/webhooks/twilio/status', async (req, res) => {
  const params = req.body as Record<string, string>;
  const token = tokens.get(params.AccountSid ?? '');
  if (!token || !twilio.validateRequest(token, req.header('x-twilio-signature') ?? '', publicBaseUrl + req.originalUrl, params)) {
    res.status(403).end();
    return;
  }
  await sql`INSERT INTO isv.webhook_events (idempotency_key, kind, account_sid, message_sid, payload, processed_at)
            VALUES (${`status:${params.AccountSid}:${params.MessageSid}:${params.MessageStatus}`}, 'status', ${params.AccountSid!},
                    ${params.MessageSid ?? null}, ${sql.json(params)}, now())
            ON CONFLICT DO NOTHING`;
  res.type('text/xml').send('<Response/>');
});

const server = app.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void sql.end().then(() => process.exit(0));
});
