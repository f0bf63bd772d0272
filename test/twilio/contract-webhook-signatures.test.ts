// The token the gateway hands to webhook verification (authTokenFor) is the one Twilio signs with: the sandbox's
// status callbacks and inbound webhooks for a subaccount validate with it through twilio.validateRequest, and do
// not validate with the master token (FACTS §9.1).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractRig, type ContractRig, type Subaccount } from './contract-rig.ts';

interface Received {
  url: string;
  signature: string;
  params: Record<string, string>;
}

describe('contract: signed webhooks and the gateway token', () => {
  let rig: ContractRig;
  let sub: Subaccount;
  let server: Server;
  let base: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        received.push({
          url: `${base}${req.url}`,
          signature: String(req.headers['x-twilio-signature'] ?? ''),
          params: Object.fromEntries(new URLSearchParams(raw)),
        });
        res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    rig = await createContractRig();
    sub = await rig.newSubaccount();
  });
  afterAll(async () => {
    await rig?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  async function numberInService() {
    const account = rig.twilio.master.api.v2010.accounts(sub.sid);
    const [candidate] = await account.availablePhoneNumbers('US').local.list({ areaCode: 628, smsEnabled: true, limit: 1 });
    const number = await account.incomingPhoneNumbers.create({ phoneNumber: candidate!.phoneNumber });
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'isv:hooks', inboundRequestUrl: `${base}/inbound?tenant=${sub.customerId}` });
    await sub.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    return { number, service };
  }

  it('status callbacks validate with the subaccount token from authTokenFor and not with the master token', async () => {
    const { service } = await numberInService();
    await rig.twilio.call('messages.create', () =>
      rig.twilio.master.api.v2010.accounts(sub.sid).messages.create({ to: '+15558675399', messagingServiceSid: service.sid, body: 'hi', statusCallback: `${base}/status` }),
    );
    await rig.sandbox.flushCallbacks();
    const callbacks = received.filter((r) => r.url.startsWith(`${base}/status`));
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(expect.arrayContaining(['sent', 'delivered']));
    for (const cb of callbacks) {
      const token = await rig.twilio.authTokenFor(cb.params.AccountSid!);
      expect(token).toBe(sub.token);
      expect(twilio.validateRequest(token!, cb.signature, cb.url, cb.params)).toBe(true);
      expect(twilio.validateRequest(rig.masterAuthToken, cb.signature, cb.url, cb.params)).toBe(false);
    }
  });

  it('an inbound STOP validates the same way and carries OptOutType', async () => {
    const { number } = await numberInService();
    const res = await fetch(`${rig.sandbox.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+15558675398', to: number.phoneNumber, body: 'STOP' }),
    });
    expect(res.ok).toBe(true);
    await rig.sandbox.flushCallbacks();
    const inbound = received.find((r) => r.url.startsWith(`${base}/inbound`) && r.params.From === '+15558675398');
    expect(inbound?.params).toMatchObject({ OptOutType: 'STOP', AccountSid: sub.sid, Body: 'STOP' });
    const token = await rig.twilio.authTokenFor(inbound!.params.AccountSid!);
    expect(twilio.validateRequest(token!, inbound!.signature, inbound!.url, inbound!.params)).toBe(true);
    expect(twilio.validateRequest(rig.masterAuthToken, inbound!.signature, inbound!.url, inbound!.params)).toBe(false);
  });
});
