// Sandbox control: Twilio changes a resource's status the way it does after approval, e.g. the carriers
// suspend a brand or a campaign, WhatsApp pauses a template, a sender goes offline.
// POST /sandbox/resources/status {sid, status}: `sid` is a brand (BN…), a campaign (`QE…/MG…`: the constant
// campaign SID and its messaging service), a number in a messaging service (PN…: its A2P registration, pending |
// registered | failed, sent as the Event Streams number-registration event), a WhatsApp sender (XE…) or a template (HX…). 404 for an unknown
// SID, 400 naming the allowed values for a status that resource cannot have. `"unlisted": true` sets a brand or
// campaign to any UPPER_SNAKE status Twilio might add later (campaign_status is not an enum; FACTS §6), to try
// a client's handling of statuses it does not know. Twilio tells about these changes
// through Event Streams, which the sandbox does not run: the platform learns them by reading the resource.
import { defineModule, type ControlRequest, type Reply } from '../framework.ts';
import { BRAND_KIND, BRAND_STATUSES, type BrandRecord } from './brands.ts';
import { CAMPAIGN_KIND, CAMPAIGN_SID, CAMPAIGN_STATUSES, type CampaignRecord } from './campaigns.ts';
import { APPROVAL_STATUSES, CONTENT_KIND, type ApprovalStatus, type ContentRecord } from './content.ts';
import { SENDER_KIND, SENDER_STATUSES, type SenderRecord } from './senders.ts';
import { SERVICE_KIND, SERVICE_NUMBER_KIND } from './services.ts';
import { campaignVerified, NUMBER_REGISTRATION_STATUSES, setNumberRegistration, type NumberRegistrationStatus } from './number-registration.ts';

const problem = (status: number, code: number, message: string): Reply => ({ status, body: { code, message, status } });

export const resourceStatusModule = defineModule('resource-status', (api) => {
  const now = () => api.now().toISOString();
  const allowed = (status: string, values: readonly string[], what: string): Reply | undefined =>
    values.includes(status) ? undefined : problem(400, 20001, `Invalid parameter status: a ${what} can be ${values.join(', ')}`);
  /** A brand's or campaign's status: one Twilio uses today, or with `unlisted`, any status it may add. */
  const a2pStatus = (req: ControlRequest, status: string, values: readonly string[], what: string): Reply | undefined =>
    req.field('unlisted') === 'true' || (req.json as { unlisted?: unknown } | undefined)?.unlisted === true
      ? /^[A-Z][A-Z_]{2,40}$/.test(status) ? undefined : problem(400, 20001, 'Invalid parameter status: an unlisted status is UPPER_SNAKE_CASE')
      : allowed(status, values, what);

  api.control('POST', '/sandbox/resources/status', (req) => {
    const sid = req.field('sid') ?? '';
    const status = req.field('status') ?? '';
    if (!sid || !status) return problem(400, 20001, 'Missing required parameter: send JSON {"sid": "<BN…|QE…/MG…|PN…|XE…|HX…>", "status": "<status>"}');
    const done = (): Reply => ({ status: 200, body: { sid, status } });

    const campaign = /^(QE[0-9a-f]{32})\/(MG[0-9a-f]{32})$/.exec(sid);
    if (campaign) {
      const rec = campaign[1] === CAMPAIGN_SID ? api.state.get<CampaignRecord>(CAMPAIGN_KIND, campaign[2]!) : undefined;
      if (!rec) return problem(404, 20404, `No campaign ${sid} in the sandbox`);
      const bad = a2pStatus(req, status, CAMPAIGN_STATUSES, 'campaign');
      if (bad) return bad;
      api.cancelTransitions(rec.sid);
      api.state.update<CampaignRecord>(CAMPAIGN_KIND, rec.sid, { campaign_status: status as CampaignRecord['campaign_status'], date_updated: now() });
      api.state.update(SERVICE_KIND, rec.messaging_service_sid, { us_app_to_person_registered: status === 'VERIFIED', date_updated: now() });
      if (status === 'VERIFIED') campaignVerified(api, rec.messaging_service_sid);
      return done();
    }
    // A number in a Messaging Service: its A2P registration to the service's campaign (Event Streams'
    // number-registration `externalstatus`); `failure_reason` goes into the failed event.
    if (sid.startsWith('PN')) {
      const link = api.state.get(SERVICE_NUMBER_KIND, sid);
      if (!link) return problem(404, 20404, `No number ${sid} in a Messaging Service of the sandbox`);
      const bad = allowed(status, NUMBER_REGISTRATION_STATUSES, 'number registration');
      if (bad) return bad;
      const reason = req.field('failure_reason') ?? 'The carrier rejected the number registration';
      setNumberRegistration(api, sid, status as NumberRegistrationStatus, status === 'failed' ? reason : null);
      return done();
    }
    if (sid.startsWith('BN')) {
      const rec = api.state.get<BrandRecord>(BRAND_KIND, sid);
      if (!rec) return problem(404, 20404, `No brand ${sid} in the sandbox`);
      const bad = a2pStatus(req, status, BRAND_STATUSES, 'brand');
      if (bad) return bad;
      api.cancelTransitions(sid);
      api.state.update<BrandRecord>(BRAND_KIND, sid, { status: status as BrandRecord['status'], date_updated: now() });
      return done();
    }
    if (sid.startsWith('XE')) {
      const rec = api.state.get<SenderRecord>(SENDER_KIND, sid);
      if (!rec) return problem(404, 20404, `No WhatsApp sender ${sid} in the sandbox`);
      const bad = allowed(status, SENDER_STATUSES, 'WhatsApp sender');
      if (bad) return bad;
      api.cancelTransitions(sid);
      api.state.update<SenderRecord>(SENDER_KIND, sid, { status: status as SenderRecord['status'], date_updated: now() });
      return done();
    }
    if (sid.startsWith('HX')) {
      const rec = api.state.get<ContentRecord>(CONTENT_KIND, sid);
      if (!rec) return problem(404, 20404, `No template ${sid} in the sandbox`);
      if (!rec.approval) return problem(400, 20001, `Template ${sid} was never submitted for WhatsApp approval; submit it first`);
      const bad = allowed(status, APPROVAL_STATUSES, 'WhatsApp template');
      if (bad) return bad;
      api.cancelTransitions(sid);
      api.state.update<ContentRecord>(CONTENT_KIND, sid, { approval: { ...rec.approval, status: status as ApprovalStatus }, date_updated: now() });
      return done();
    }
    return problem(404, 20404, `No resource ${sid} in the sandbox: send a BN…, QE…/MG…, PN…, XE… or HX… SID`);
  });
});
