// events.twilio.com/v1 Sinks and Subscriptions (Event Streams, #14), the part the platform uses: a webhook sink
// (create/list/fetch) and a subscription of that sink to event types (create/list/fetch), both per account. Twilio
// sends an account's events only to that account's subscriptions (the create parameters are Description, SinkSid
// and Types; twilio_events_v1.json), so the platform subscribes in each subaccount whose numbers it registers.
// Sinks need no validation any more: "The status of Sinks is active by default"
// (DOCS https://twilio.com/docs/events/event-streams/sink-resource/validate).
import { defineModule, errors, iso, TwilioError, type Ctx, type SandboxApi, type StoredRecord } from '../framework.ts';

const HOST = 'events.twilio.com';
const SINK_KIND = 'event_sink';
const SUBSCRIPTION_KIND = 'event_subscription';

interface SinkRecord extends StoredRecord {
  description: string;
  sink_type: 'webhook';
  sink_configuration: { destination: string; method: string; batch_events?: boolean };
  date_created: string;
  date_updated: string;
}
interface SubscriptionRecord extends StoredRecord {
  description: string;
  sink_sid: string;
  types: string[];
  date_created: string;
  date_updated: string;
}

const base = `https://${HOST}/v1`;
const renderSink = (s: SinkRecord) => ({
  sid: s.sid,
  description: s.description,
  sink_type: s.sink_type,
  sink_configuration: s.sink_configuration,
  status: 'active',
  date_created: iso(s.date_created),
  date_updated: iso(s.date_updated),
  url: `${base}/Sinks/${s.sid}`,
  links: { sink_test: `${base}/Sinks/${s.sid}/Test`, sink_validate: `${base}/Sinks/${s.sid}/Validate` },
});
const renderSubscription = (s: SubscriptionRecord) => ({
  account_sid: s.account_sid,
  sid: s.sid,
  description: s.description,
  sink_sid: s.sink_sid,
  date_created: iso(s.date_created),
  date_updated: iso(s.date_updated),
  url: `${base}/Subscriptions/${s.sid}`,
  links: { subscribed_events: `${base}/Subscriptions/${s.sid}/SubscribedEvents` },
});

function jsonParam(ctx: Ctx, name: string): unknown {
  const raw = ctx.required(name);
  try {
    return JSON.parse(raw);
  } catch {
    throw new TwilioError(400, 20001, `Invalid parameter ${name}: not JSON`);
  }
}

/** The webhook destinations subscribed to an event type in an account (where Event Streams delivers it). */
export function subscribedDestinations(api: SandboxApi, accountSid: string, type: string): string[] {
  const out = new Set<string>();
  for (const sub of api.state.list<SubscriptionRecord>(SUBSCRIPTION_KIND, (s) => s.account_sid === accountSid && s.types.includes(type))) {
    const sink = api.state.get<SinkRecord>(SINK_KIND, sub.sink_sid);
    if (sink) out.add(sink.sink_configuration.destination);
  }
  return [...out];
}

export const eventsModule = defineModule('events', (api) => {
  api.route('POST', HOST, '/v1/Sinks', (ctx) => {
    const description = ctx.required('Description');
    const sinkType = ctx.required('SinkType');
    if (sinkType !== 'webhook') throw errors.invalidParam('SinkType', 'only webhook sinks are modelled');
    const conf = jsonParam(ctx, 'SinkConfiguration') as Record<string, unknown> | null;
    const destination = conf?.destination;
    if (typeof destination !== 'string' || !/^https?:\/\//.test(destination)) throw errors.invalidParam('SinkConfiguration', 'destination must be an http(s) URL');
    const method = String(conf?.method ?? 'POST').toUpperCase();
    if (method !== 'POST' && method !== 'GET') throw errors.invalidParam('SinkConfiguration', 'method must be POST or GET');
    const at = ctx.now().toISOString();
    const rec = api.state.insert<SinkRecord>(SINK_KIND, {
      sid: api.sid('DG'),
      account_sid: ctx.accountSid,
      description,
      sink_type: 'webhook',
      sink_configuration: { destination, method, ...(typeof conf?.batch_events === 'boolean' ? { batch_events: conf.batch_events } : {}) },
      date_created: at,
      date_updated: at,
    });
    return ctx.created(renderSink(rec));
  });
  api.route('GET', HOST, '/v1/Sinks', (ctx) => ctx.ok(api.pageV1(ctx, 'sinks', ctx.ownList<SinkRecord>(SINK_KIND).map(renderSink))));
  api.route('GET', HOST, '/v1/Sinks/{Sid}', (ctx) => ctx.ok(renderSink(ctx.owned<SinkRecord>(SINK_KIND, ctx.path.Sid))));
  api.route('DELETE', HOST, '/v1/Sinks/{Sid}', (ctx) => {
    api.state.remove(SINK_KIND, ctx.owned<SinkRecord>(SINK_KIND, ctx.path.Sid).sid);
    return ctx.noContent();
  });

  api.route('POST', HOST, '/v1/Subscriptions', (ctx) => {
    const description = ctx.required('Description');
    const sinkSid = ctx.required('SinkSid');
    ctx.owned<SinkRecord>(SINK_KIND, sinkSid);
    const rawTypes = ctx.params('Types');
    if (rawTypes.length === 0) throw errors.missingParam('Types');
    const types = rawTypes.map((t) => {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch {
        throw errors.invalidParam('Types', 'each entry must be a JSON object with a type');
      }
      const type = (v as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !type) throw errors.invalidParam('Types', 'each entry must name a type');
      return type;
    });
    const at = ctx.now().toISOString();
    const rec = api.state.insert<SubscriptionRecord>(SUBSCRIPTION_KIND, { sid: api.sid('DF'), account_sid: ctx.accountSid, description, sink_sid: sinkSid, types, date_created: at, date_updated: at });
    return ctx.created(renderSubscription(rec));
  });
  api.route('GET', HOST, '/v1/Subscriptions', (ctx) => {
    const sinkSid = ctx.param('SinkSid');
    return ctx.ok(api.pageV1(ctx, 'subscriptions', ctx.ownList<SubscriptionRecord>(SUBSCRIPTION_KIND, (s) => !sinkSid || s.sink_sid === sinkSid).map(renderSubscription)));
  });
  api.route('GET', HOST, '/v1/Subscriptions/{Sid}', (ctx) => ctx.ok(renderSubscription(ctx.owned<SubscriptionRecord>(SUBSCRIPTION_KIND, ctx.path.Sid))));
  api.route('DELETE', HOST, '/v1/Subscriptions/{Sid}', (ctx) => {
    api.state.remove(SUBSCRIPTION_KIND, ctx.owned<SubscriptionRecord>(SUBSCRIPTION_KIND, ctx.path.Sid).sid);
    return ctx.noContent();
  });
});
