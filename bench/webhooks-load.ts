// The load generator of bench/webhooks.ts, run in its own process so it does not share the app's event loop:
// signed status callbacks for many subaccounts, in shuffled order with 20 % duplicates, fired by autocannon.
// Reads its settings as JSON from argv[2]; writes every acknowledged event to argv[3]; prints autocannon's figures.
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import twilio from 'twilio';

export interface LoadSettings {
  /** Where the requests go. */
  baseUrl: string;
  /** The URL Twilio signs (PUBLIC_BASE_URL: a load balancer's in front of several instances); default baseUrl. */
  signedBaseUrl?: string;
  path: string;
  accounts: { accountSid: string; authToken: string }[];
  connections: number;
  durationS: number;
  /** Share of requests that repeat an event already in the stream (Twilio retries). */
  duplicateShare: number;
  seed: number;
  runId: string;
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface PreparedRequest {
  sid: string;
  status: string;
  body: string;
  signature: string;
}

/** Outbound lifecycles as Twilio reports them (FACTS §3): most delivered, some undelivered, some failed. */
const LIFECYCLES: { statuses: string[]; errorCode?: string; weight: number }[] = [
  { statuses: ['queued', 'sending', 'sent', 'delivered'], weight: 8 },
  { statuses: ['queued', 'sending', 'sent', 'undelivered'], errorCode: '30003', weight: 1 },
  { statuses: ['queued', 'sending', 'failed'], errorCode: '30008', weight: 1 },
];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Endless stream of blocks: each block holds every status of a set of messages plus duplicates, shuffled, so
 * callbacks of one message arrive out of order and duplicates arrive before or after their original.
 */
export function createEventStream(s: LoadSettings, messagesPerBlock = 2000): () => PreparedRequest {
  const random = prng(s.seed);
  const totalWeight = LIFECYCLES.reduce((n, l) => n + l.weight, 0);
  let block: PreparedRequest[] = [];
  let blockNo = 0;
  let i = 0;

  function nextBlock(): PreparedRequest[] {
    const events: PreparedRequest[] = [];
    for (let m = 0; m < messagesPerBlock; m++) {
      const account = s.accounts[Math.floor(random() * s.accounts.length)]!;
      const sid = `SM${s.runId}${(blockNo * messagesPerBlock + m).toString(16).padStart(32 - s.runId.length, '0')}`;
      let pick = random() * totalWeight;
      const life = LIFECYCLES.find((l) => (pick -= l.weight) < 0) ?? LIFECYCLES[0]!;
      for (const status of life.statuses) {
        const params: Record<string, string> = {
          AccountSid: account.accountSid,
          ApiVersion: '2010-04-01',
          From: '+14155550100',
          MessageSid: sid,
          MessageStatus: status,
          SmsSid: sid,
          SmsStatus: status,
          To: `+1415555${String(m % 10000).padStart(4, '0')}`,
        };
        if (life.errorCode && (status === 'failed' || status === 'undelivered')) params.ErrorCode = life.errorCode;
        events.push({
          sid,
          status,
          body: new URLSearchParams(params).toString(),
          signature: twilio.getExpectedTwilioSignature(account.authToken, (s.signedBaseUrl ?? s.baseUrl) + s.path, params),
        });
      }
    }
    // duplicates / (events + duplicates) = duplicateShare
    const duplicates = Math.round((events.length * s.duplicateShare) / (1 - s.duplicateShare));
    for (let d = 0; d < duplicates; d++) events.push(events[Math.floor(random() * events.length)]!);
    for (let k = events.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [events[k], events[j]] = [events[j]!, events[k]!];
    }
    blockNo++;
    return events;
  }

  return () => {
    if (i >= block.length) {
      block = nextBlock();
      i = 0;
    }
    return block[i++]!;
  };
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]!) as LoadSettings;
  const ackFile = process.argv[3]!;
  const next = createEventStream(settings);
  const acked: string[] = [];
  const instance = autocannon({
    url: settings.baseUrl,
    connections: settings.connections,
    duration: settings.durationS,
    pipelining: 1,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: settings.path,
        setupRequest: (req, context) => {
          const ev = next();
          (context as { ev?: PreparedRequest }).ev = ev;
          return {
            ...req,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': ev.signature },
            body: ev.body,
          };
        },
        onResponse: (status, _body, context) => {
          const ev = (context as { ev?: PreparedRequest }).ev;
          if (ev && status >= 200 && status < 300) acked.push(`${ev.sid} ${ev.status}`);
        },
      },
    ],
  });
  const result = await instance;
  writeFileSync(ackFile, acked.join('\n'));
  const out: LoadResult = {
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
