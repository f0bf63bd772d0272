// The rank of Twilio message statuses: callbacks arrive out of order (FACTS §3, §9.3), so a status only
// replaces the current one when it ranks strictly higher.
import type { MessageStatus } from '../../shared/messages.ts';

/**
 * accepted/scheduled/queued < sending < sent < delivered/undelivered/failed < read. canceled is terminal for a
 * scheduled message; partially_delivered sits with the final outcomes; receiving < received for inbound.
 */
export const STATUS_RANK: Record<MessageStatus, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 0,
  receiving: 0,
  sending: 1,
  sent: 2,
  received: 3,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  canceled: 3,
  partially_delivered: 3,
  read: 4,
};

export function statusRank(status: MessageStatus): number {
  return STATUS_RANK[status];
}

/** True when `next` may replace `current`. Equal ranks never overwrite: the first final outcome wins. */
export function statusAdvances(current: MessageStatus | undefined, next: MessageStatus): boolean {
  return current === undefined || STATUS_RANK[next] > STATUS_RANK[current];
}
