// isv_sends_total{outcome}: every MessagingService.send counted by how it ended, without touching the send path.
import { AppError } from '../platform/errors.ts';
import { recordSend } from '../metrics/metrics.ts';
import type { MessagingService } from './messaging.service.ts';

/** The outcome label of a send that threw. */
export function sendOutcomeOf(err: unknown): string {
  if (!(err instanceof AppError)) return 'error';
  if (err.code === 'twilio_unavailable') return 'twilio_unavailable';
  if (err.code === 'twilio_rejected') return 'twilio_rejected';
  if (err.code === 'recipient_opted_out') return 'opted_out';
  if (err.status === 429) return 'limited';
  if (err.status >= 500) return 'error';
  return 'refused';
}

export function countSends(messaging: MessagingService): MessagingService {
  return {
    ...messaging,
    async send(...args) {
      try {
        const result = await messaging.send(...args);
        recordSend(result.replayed ? 'replayed' : 'sent');
        return result;
      } catch (err) {
        recordSend(sendOutcomeOf(err));
        throw err;
      }
    },
  };
}
