// Contract: events.twilio.com v1 Sinks and Subscriptions (Event Streams, #14): the webhook sink and the
// subscription to the A2P number-registration events that the A2P flow makes in a subaccount, with the
// subaccount's own credentials, checked against twilio_events_v1.json in both directions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';
import { NUMBER_REGISTRATION_EVENT_TYPES } from '../../server/a2p-watch/event-sink.ts';

describe('contract: Event Streams sinks and subscriptions', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  beforeAll(async () => {
    rig = await createContractRig();
    sub = await rig.newSubaccount();
  });
  afterAll(async () => {
    await rig?.close();
  });

  const destination = 'https://isv.example.com/api/isv/webhooks/twilio/events';

  it('CreateSink makes an active webhook sink and ListSink returns it', async () => {
    const sink = await rig.twilio.call('events.sinks.create', () =>
      sub.client.events.v1.sinks.create({ description: 'A2P number registration', sinkType: 'webhook', sinkConfiguration: { destination, method: 'POST', batch_events: false } }),
    );
    const body = rig.expectContract('events_v1', 'POST', '/v1/Sinks', 201);
    expect(sink.sid).toMatch(/^DG[0-9a-f]{32}$/);
    expect(body).toMatchObject({ status: 'active', sink_type: 'webhook', sink_configuration: { destination, method: 'POST' } });
    const listed = await rig.twilio.call('events.sinks.list', () => sub.client.events.v1.sinks.list({ limit: 50 }));
    rig.expectContract('events_v1', 'GET', '/v1/Sinks', 200);
    expect(listed.map((s) => s.sid)).toEqual([sink.sid]);
  });

  it('CreateSubscription subscribes the sink to the number-registration events and ListSubscription (SinkSid) returns it', async () => {
    const [sink] = await sub.client.events.v1.sinks.list({ limit: 1 });
    const subscription = await rig.twilio.call('events.subscriptions.create', () =>
      sub.client.events.v1.subscriptions.create({ description: 'A2P number registration', sinkSid: sink!.sid, types: NUMBER_REGISTRATION_EVENT_TYPES.map((type) => ({ type })) }),
    );
    const body = rig.expectContract('events_v1', 'POST', '/v1/Subscriptions', 201);
    expect(body).toMatchObject({ sink_sid: sink!.sid, account_sid: sub.sid });
    const listed = await rig.twilio.call('events.subscriptions.list', () => sub.client.events.v1.subscriptions.list({ sinkSid: sink!.sid, limit: 50 }));
    rig.expectContract('events_v1', 'GET', '/v1/Subscriptions', 200);
    expect(listed.map((s) => s.sid)).toEqual([subscription.sid]);
  });

  it('CreateSubscription with an unknown sink is refused with 404 and creates nothing', async () => {
    await expect(sub.client.events.v1.subscriptions.create({ description: 'x', sinkSid: `DG${'0'.repeat(32)}`, types: [{ type: NUMBER_REGISTRATION_EVENT_TYPES[0]! }] })).rejects.toMatchObject({ status: 404 });
    expect(await sub.client.events.v1.subscriptions.list({ limit: 50 })).toHaveLength(1);
  });
});
