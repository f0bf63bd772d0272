// A2P 10DLC registration of each number in a Messaging Service with a verified campaign. Twilio registers
// every number added to the service with the campaign separately, which takes time and can fail; until a number
// is registered, US traffic from it ends `undelivered` with error 30034 ("Message from an Unregistered Number").
// Twilio's REST API shows no registration state on the service's PhoneNumber resource (messaging_v1
// `messaging.v1.service.phone_number` has none); Twilio reports it through Event Streams, event types
// `com.twilio.messaging.compliance.number-registration.*` (DOCS /docs/events/event-types/a2p/number-registration:
// data `phonenumber`, `phonenumbersid`, `accountsid`, `campaignsid`, `messagingservicesid`, `externalstatus`,
// `failurereason`, `timestamp`, `updateddate`). The sandbox delivers those events to one webhook sink (the sink an
// ISV sets up in Event Streams): every webhook sink subscribed to the event type in the number's account
// (events.ts: POST /v1/Sinks + /v1/Subscriptions), plus the one URL set with SandboxOptions.eventSinkUrl or
// `POST /sandbox/event-streams/sink {url}` (a sandbox convenience for tests; each destination gets one delivery).
import { randomUUID } from 'node:crypto';
import { subscribedDestinations } from './events.ts';
import { defineModule, errors, type SandboxApi, type StoredRecord, type Transition } from '../framework.ts';

/** Where a number's registration stands (the Event Streams `externalstatus` the sandbox sends). */
export const NUMBER_REGISTRATION_STATUSES = ['pending', 'registered', 'failed'] as const;
export type NumberRegistrationStatus = (typeof NUMBER_REGISTRATION_STATUSES)[number];
export const NUMBER_REGISTRATION_EVENT = 'com.twilio.messaging.compliance.number-registration';
/** The Twilio error for traffic from a number not (yet) registered to a campaign. */
export const UNREGISTERED_NUMBER_ERROR = { code: 30034, message: 'Message from an Unregistered Number' } as const;

const SINK_META = 'eventSinkUrl';
const LINK_KIND = 'service_phone_number';
const CAMPAIGN_KIND = 'us_app_to_person';
const CAMPAIGN_SID = 'QE2c6890da8086d771620e9b13fadeba0b';

interface LinkRecord extends StoredRecord {
  service_sid: string;
  phone_number: string;
  a2p_registration?: NumberRegistrationStatus;
  a2p_failure_reason?: string | null;
}

/** Sends the Event Streams event for a number's registration status to each subscribed sink (and the control URL). */
function emitEvent(api: SandboxApi, link: LinkRecord): void {
  if (!link.a2p_registration) return;
  const suffix = link.a2p_registration === 'registered' ? 'successful' : link.a2p_registration;
  const type = `${NUMBER_REGISTRATION_EVENT}.${suffix}`;
  const control = api.state.getMeta<string>(SINK_META);
  const urls = new Set([...subscribedDestinations(api, link.account_sid, type), ...(control ? [control] : [])]);
  if (urls.size === 0) return;
  const at = api.now();
  const event = {
    specversion: '1.0',
    type,
    source: `/v1/Services/${link.service_sid}/PhoneNumbers/${link.sid}`,
    id: `EV${randomUUID().replace(/-/g, '')}`,
    dataschema: 'https://events-schemas.twilio.com/A2P.NumberRegistration/2',
    datacontenttype: 'application/json',
    time: at.toISOString(),
    data: {
      id: randomUUID(),
      phonenumber: link.phone_number,
      phonenumbersid: link.sid,
      accountsid: link.account_sid,
      campaignsid: CAMPAIGN_SID,
      messagingservicesid: link.service_sid,
      externalstatus: link.a2p_registration,
      failurereason: link.a2p_failure_reason ?? null,
      timestamp: at.getTime(),
      updateddate: at.getTime(),
    },
  };
  for (const url of urls) api.enqueueCallback({ accountSid: link.account_sid, url, json: [event], kind: 'event-streams.number-registration', resourceSid: link.sid });
}

export function setNumberRegistration(api: SandboxApi, sid: string, status: NumberRegistrationStatus, failureReason: string | null = null): void {
  api.cancelTransitions(sid, 'number.registration');
  const link = api.state.update<LinkRecord>(LINK_KIND, sid, { a2p_registration: status, a2p_failure_reason: status === 'failed' ? failureReason : null });
  emitEvent(api, link);
  if (status === 'pending') api.schedule('number.registration', sid);
}

const serviceVerified = (api: SandboxApi, serviceSid: string) =>
  api.state.get<StoredRecord & { campaign_status: string }>(CAMPAIGN_KIND, serviceSid)?.campaign_status === 'VERIFIED';

/** A number joined a service: registration starts now if its campaign is verified (else when it is). */
export function numberAddedToService(api: SandboxApi, linkSid: string): void {
  const link = api.state.get<LinkRecord>(LINK_KIND, linkSid);
  if (link && serviceVerified(api, link.service_sid)) setNumberRegistration(api, linkSid, 'pending');
}

/** A campaign became VERIFIED: each number of its service not registered yet is submitted. */
export function campaignVerified(api: SandboxApi, serviceSid: string): void {
  for (const link of api.state.list<LinkRecord>(LINK_KIND, (l) => l.service_sid === serviceSid && l.a2p_registration !== 'registered')) {
    setNumberRegistration(api, link.sid, 'pending');
  }
}

/** The registration a message's sender has, or undefined for a number whose registration is not tracked. */
export function senderRegistration(api: SandboxApi, accountSid: string, from: string): NumberRegistrationStatus | undefined {
  const link = api.state.list<LinkRecord>(LINK_KIND, (l) => l.account_sid === accountSid && l.phone_number === from)[0];
  return link?.a2p_registration;
}

export const numberRegistrationModule = defineModule('number-registration', (api) => {
  api.onTransition('number.registration', (t: Transition) => {
    const link = api.state.get<LinkRecord>(LINK_KIND, t.sid);
    if (!link || link.a2p_registration !== 'pending') return; // GUARD: removed or decided meanwhile.
    if (!serviceVerified(api, link.service_sid)) return;
    setNumberRegistration(api, link.sid, 'registered');
  });

  // Where Event Streams delivers: one webhook sink for every account.
  api.control('POST', '/sandbox/event-streams/sink', (req) => {
    const url = req.field('url');
    if (!url) throw errors.missingParam('url');
    if (!/^https?:\/\//.test(url)) throw errors.invalidParam('url', 'must be an http(s) URL');
    api.state.setMeta(SINK_META, url);
    return { status: 200, body: { url } };
  });
});
