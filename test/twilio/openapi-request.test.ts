// The request-side spec check the contract tests rely on: it must catch what Twilio would reject.
import { describe, expect, it } from 'vitest';
import { expectRequestMatchesSpec, requiredRequestParams } from '../helpers/openapi.ts';

describe('the request check against the OpenAPI documents', () => {
  it('reads the required parameters of form and JSON operations', () => {
    expect(requiredRequestParams('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/Messages.json')).toEqual(['To']);
    expect(requiredRequestParams('messaging_v1', 'POST', '/v1/Services')).toEqual(['FriendlyName']);
    expect(requiredRequestParams('trusthub_v1', 'POST', '/v1/CustomerProfiles').sort()).toEqual(['Email', 'FriendlyName', 'PolicySid']);
    expect(requiredRequestParams('content_v1', 'POST', '/v1/Content').sort()).toEqual(['language', 'types']);
    expect(requiredRequestParams('messaging_v2', 'GET', '/v2/Channels/Senders')).toEqual(['Channel']);
  });

  it('accepts a request with every required parameter and only documented names', () => {
    expect(() =>
      expectRequestMatchesSpec('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/Messages.json', { To: '+15558675310', Body: 'hi', MediaUrl: ['https://a.example/1.png', 'https://a.example/2.png'] }),
    ).not.toThrow();
  });

  it('rejects a missing required parameter, an undocumented name, a bad enum value and a bad boolean', () => {
    const send = (sent: Record<string, string | string[]>) => () =>
      expectRequestMatchesSpec('api_v2010', 'POST', '/2010-04-01/Accounts/{AccountSid}/Messages.json', sent);
    expect(send({ Body: 'hi' })).toThrow(/missing required parameter To/);
    expect(send({ To: '+15558675310', Bodyy: 'hi' })).toThrow(/undocumented parameter Bodyy/);
    expect(send({ To: '+15558675310', ScheduleType: 'sometimes' })).toThrow(/ScheduleType=sometimes is not one of/);
    expect(send({ To: '+15558675310', SendAsMms: 'yes' })).toThrow(/SendAsMms=yes is not a boolean/);
    expect(send({ To: ['+15558675310', '+15558675311'] })).toThrow(/To is sent 2 times/);
  });

  it('validates a JSON body against the request schema, nested fields included', () => {
    expect(() =>
      expectRequestMatchesSpec('content_v1', 'POST', '/v1/Content', { language: 'en', friendly_name: 'x', types: JSON.stringify({ 'twilio/text': { body: 'Hi {{1}}' } }) }),
    ).not.toThrow();
    expect(() => expectRequestMatchesSpec('content_v1', 'POST', '/v1/Content', { language: 'en' })).toThrow(/missing required parameter types/);
    expect(() =>
      expectRequestMatchesSpec('content_v1', 'POST', '/v1/Content', { language: 'en', types: JSON.stringify({ 'twilio/text': {} }) }),
    ).toThrow(/body\/types\/twilio~1text must have required property 'body'/);
  });

  it('checks required query parameters of a GET', () => {
    expect(() => expectRequestMatchesSpec('messaging_v2', 'GET', '/v2/Channels/Senders', {})).toThrow(/missing required parameter Channel/);
    expect(() => expectRequestMatchesSpec('messaging_v2', 'GET', '/v2/Channels/Senders', { Channel: 'whatsapp', PageSize: '50' })).not.toThrow();
  });
});
