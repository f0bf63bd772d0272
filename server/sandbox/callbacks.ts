// Outbound webhooks (status callbacks, inbound messages, review callbacks): queued in the persisted state,
// signed like Twilio signs them (FACTS §9.1) with the owning account's token at delivery time, and delivered
// by a background loop or flushCallbacks(). Chaos mode delivers each one twice, shuffled.
import { createHash, randomUUID } from 'node:crypto';
import twilio from 'twilio';
import type { CallbackDelivery, CallbackRequest, PendingCallback } from './framework.ts';
import type { PersistentState } from './state.ts';

export interface CallbackQueue {
  enqueue(cb: CallbackRequest): PendingCallback;
  /** Delivers everything pending now; resolves when every attempt has been answered or failed. */
  flush(): Promise<void>;
  pendingCount(): number;
  deliveries: CallbackDelivery[];
  start(): void;
  stop(): void;
}

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Builds the exact request Twilio would send: fragment and userinfo dropped from the signed URL. */
export function signCallback(cb: CallbackRequest, authToken: string, idempotencyToken: string): SignedRequest {
  const target = new URL(cb.url);
  const headers: Record<string, string> = {
    'User-Agent': 'TwilioProxy/1.1',
    'I-Twilio-Idempotency-Token': idempotencyToken,
  };
  if (target.username) {
    // Twilio sends URL credentials as Basic auth and does not sign them (FACTS §9.1).
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  target.hash = '';
  let url = target.toString();
  let body: string;
  let signature: string;
  if (cb.json !== undefined) {
    body = JSON.stringify(cb.json);
    const hash = createHash('sha256').update(body).digest('hex');
    url += `${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
    signature = twilio.getExpectedTwilioSignature(authToken, url, {});
    headers['Content-Type'] = 'application/json';
  } else if ((cb.method ?? 'POST') === 'GET') {
    // GET webhooks carry the parameters in the query string and nothing is appended to the signed string.
    const q = new URLSearchParams(cb.params ?? {}).toString();
    if (q) url += `${url.includes('?') ? '&' : '?'}${q}`;
    body = '';
    signature = twilio.getExpectedTwilioSignature(authToken, url, {});
  } else {
    const params = cb.params ?? {};
    body = new URLSearchParams(params).toString();
    signature = twilio.getExpectedTwilioSignature(authToken, url, params);
    headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  }
  headers['X-Twilio-Signature'] = signature;
  return { url, headers, body };
}

export function createCallbackQueue(deps: {
  state: PersistentState;
  tokenFor: (accountSid: string) => string | undefined;
  now: () => Date;
  chaos: boolean;
  random: () => number;
  auto: boolean;
  onDelivered?: (d: CallbackDelivery) => void;
}): CallbackQueue {
  const { data } = deps.state;
  const deliveries: CallbackDelivery[] = [];
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  const attempt = async (cb: PendingCallback): Promise<void> => {
    const token = deps.tokenFor(cb.accountSid);
    const record: CallbackDelivery = {
      at: deps.now().toISOString(),
      id: cb.id,
      kind: cb.kind,
      url: cb.url,
      accountSid: cb.accountSid,
      resourceSid: cb.resourceSid,
      idempotencyToken: cb.idempotencyToken,
    };
    if (!token) {
      record.error = 'owning account no longer exists';
      deliveries.push(record);
      return;
    }
    const req = signCallback(cb, token, cb.idempotencyToken);
    // Twilio's default connection override is rc=1, rp=ct: one retry, on connection failures only (FACTS §9.4).
    for (let i = 0; i < 2; i++) {
      try {
        const res = await fetch(req.url, {
          method: cb.method ?? 'POST',
          headers: req.headers,
          body: (cb.method ?? 'POST') === 'GET' ? undefined : req.body,
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        record.status = res.status;
        record.error = undefined;
        break;
      } catch (err) {
        record.error = (err as Error).message;
      }
    }
    deliveries.push(record);
    if (deliveries.length > 10_000) deliveries.splice(0, deliveries.length - 10_000);
    deps.onDelivered?.(record);
  };

  const deliverBatch = async (): Promise<void> => {
    // Callbacks stay in the persisted queue until attempted, so a crash mid-batch re-delivers them after a
    // restart (with the same idempotency token, as a Twilio retry would).
    const batch = [...data.callbacks];
    if (batch.length === 0) return;
    // Never tell the platform about a change the sandbox could still lose.
    await deps.state.commit();
    let sends: PendingCallback[] = batch;
    if (deps.chaos) {
      // Twice each (same idempotency token, as a Twilio retry carries), in a shuffled order.
      sends = [...batch, ...batch];
      for (let i = sends.length - 1; i > 0; i--) {
        const j = Math.floor(deps.random() * (i + 1));
        [sends[i], sends[j]] = [sends[j]!, sends[i]!];
      }
    }
    for (const cb of sends) {
      cb.attempts += 1;
      await attempt(cb);
      const i = data.callbacks.indexOf(cb);
      if (i >= 0) {
        data.callbacks.splice(i, 1);
        deps.state.markDirty();
      }
    }
  };

  const flush = (): Promise<void> => {
    const next = chain.then(async () => {
      while (data.callbacks.length) await deliverBatch();
    });
    chain = next.catch(() => undefined);
    return next;
  };

  const kick = () => {
    if (!deps.auto || stopped || timer) return;
    // Chaos mode waits a little so callbacks pile up and can be shuffled against each other.
    timer = setTimeout(
      () => {
        timer = undefined;
        void flush();
      },
      deps.chaos ? 250 : 5,
    );
    timer.unref();
  };

  return {
    enqueue(cb) {
      const pending: PendingCallback = {
        ...cb,
        id: randomUUID(),
        idempotencyToken: randomUUID(),
        attempts: 0,
        enqueuedAt: deps.now().toISOString(),
      };
      data.callbacks.push(pending);
      deps.state.markDirty();
      kick();
      return pending;
    },
    flush,
    pendingCount: () => data.callbacks.length,
    deliveries,
    start() {
      stopped = false;
      kick();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
