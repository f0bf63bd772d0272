// WhatsApp senders through the Senders v2 API (FACTS §8), in one place for the flows and connected accounts. The
// SDK passes Senders v2 bodies through as JSON, so they are written in Twilio's snake_case (FACTS §0).
import type { Twilio } from 'twilio';

export interface SenderResource {
  sid: string;
  status: string;
  sender_id: string;
  offline_reasons: { code?: unknown; message?: string; more_info?: string }[] | null;
  webhook: { callback_url: string | null; callback_method: string | null };
}

type SendersApi = {
  list(p: { channel: string; limit: number }): Promise<unknown[]>;
  create(p: unknown): Promise<unknown>;
};
type SenderApi = { fetch(): Promise<unknown>; update(p: unknown): Promise<unknown> };

export function sendersApi(client: Twilio): SendersApi & ((sid: string) => SenderApi) {
  return (client.messaging.v2 as unknown as { channelsSenders: SendersApi & ((sid: string) => SenderApi) }).channelsSenders;
}

/** A sender as the SDK returns it (camelCase instance or plain JSON), in Twilio's field names. */
export function asSender(r: unknown): SenderResource {
  const o = r as Record<string, unknown> & { toJSON?: () => Record<string, unknown> };
  const j = (typeof o.toJSON === 'function' ? o.toJSON() : o) as Record<string, unknown>;
  const w = (j.webhook ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    sid: String(j.sid),
    status: String(j.status),
    sender_id: String(j.senderId ?? j.sender_id ?? ''),
    offline_reasons: (j.offlineReasons ?? j.offline_reasons ?? null) as SenderResource['offline_reasons'],
    webhook: { callback_url: text(w.callback_url ?? w.callbackUrl), callback_method: text(w.callback_method ?? w.callbackMethod) },
  };
}
