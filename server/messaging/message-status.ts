// Whether a status callback may change a message: the rank itself is shared with the portal (shared/messages.ts).
import { STATUS_RANK, type MessageStatus } from '../../shared/messages.ts';

/** True when `next` may replace `current`. Equal ranks never overwrite: the first final outcome wins. */
export function statusAdvances(current: MessageStatus | undefined, next: MessageStatus): boolean {
  return current === undefined || STATUS_RANK[next] > STATUS_RANK[current];
}
