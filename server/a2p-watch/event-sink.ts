// The Event Streams webhook sink and subscription that bring a number's A2P registration events to the platform.
// Twilio delivers an account's events only to that account's subscriptions (the Subscription create takes
// Description, SinkSid and Types, no subaccount roll-up; twilio_events_v1.json, and Twilio's A2P Event Streams
// setup guide has an ISV subscribe in each subaccount), so the A2P flow makes them in the customer's account before
// the number joins the messaging service. A webhook sink is active on creation (Sink Validate: "There is no longer
// a need for validating a Sink"). Idempotent: a sink with the same destination and a subscription of it are reused.
import type { Twilio } from 'twilio';
import { NUMBER_REGISTRATION_EVENT } from './number-registration.ts';

/**
 * The event types the platform subscribes to: Twilio's number-registration events (DOCS
 * /docs/messaging/compliance/a2p-10dlc/event-streams-setup, "Phone Number registration events"; schema version 1).
 */
export const NUMBER_REGISTRATION_EVENT_TYPES = ['pending', 'failed', 'successful'].map((w) => `${NUMBER_REGISTRATION_EVENT}.${w}`);
export const EVENTS_WEBHOOK_PATH = '/api/isv/webhooks/twilio/events';

type Call = <T>(operation: string, fn: () => Promise<T>, opts?: { once?: boolean }) => Promise<T>;

export async function ensureNumberRegistrationSink(client: Twilio, call: Call, publicBaseUrl: string): Promise<{ sinkSid: string; subscriptionSid: string }> {
  const destination = `${publicBaseUrl.replace(/\/+$/, '')}${EVENTS_WEBHOOK_PATH}`;
  const sinks = await call('events.sinks.list', () => client.events.v1.sinks.list({ limit: 1000 }));
  const existing = sinks.find((k) => k.sinkType === 'webhook' && (k.sinkConfiguration as { destination?: unknown } | null)?.destination === destination);
  const sinkSid =
    existing?.sid ??
    (
      await call(
        'events.sinks.create',
        () => client.events.v1.sinks.create({ description: 'ISV platform: A2P number registration', sinkType: 'webhook', sinkConfiguration: { destination, method: 'POST', batch_events: false } }),
        { once: true },
      )
    ).sid;
  const subs = await call('events.subscriptions.list', () => client.events.v1.subscriptions.list({ sinkSid, limit: 1000 }));
  const subscriptionSid =
    subs[0]?.sid ??
    (
      await call(
        'events.subscriptions.create',
        () => client.events.v1.subscriptions.create({ description: 'ISV platform: A2P number registration', sinkSid, types: NUMBER_REGISTRATION_EVENT_TYPES.map((type) => ({ type })) }),
        { once: true },
      )
    ).sid;
  return { sinkSid, subscriptionSid };
}
