// The rejection texts a customer reads: Twilio's reasons without doubled periods, product jargon or API field paths.
import { describe, expect, it } from 'vitest';
import { plainReason, plainReasons } from '../../server/onboarding/flows/customer-wording.ts';

describe('Twilio reasons in the customer’s words', () => {
  it('drops the closing period so the sentence around it has one, not two', () => {
    expect(`Your brand registration failed: ${plainReasons(['Correct it and resubmit the brand.'])}. Correct the details and resubmit.`).toBe(
      'Your brand registration failed: Correct it and resubmit the brand. Correct the details and resubmit.',
    );
  });

  it('sends the customer to their business details instead of a TrustHub bundle', () => {
    expect(plainReason('The legal company name could not be verified. Correct it in the TrustHub bundle and resubmit the brand.')).toBe(
      'The legal company name could not be verified. Correct it in your business details and resubmit the brand',
    );
    expect(plainReason('The TrustHub bundle is incomplete')).toBe('The business profile is incomplete');
  });

  it('leaves out API field paths and names TrustHub attributes as the form does', () => {
    expect(plainReason("Meta rejected the display name (profile.name); it must follow Meta's display name guidelines.")).toBe(
      "Meta rejected the display name; it must follow Meta's display name guidelines",
    );
    expect(plainReason('Invalid business_registration_number')).toBe('Invalid EIN');
  });

  it('joins several reasons once each, and says so when Twilio gave none', () => {
    expect(plainReasons(['Unable to verify Authorized representative #1.', 'Unable to verify Authorized representative #1', null])).toBe('Unable to verify Authorized representative #1');
    expect(plainReasons(['The association between business name and website cannot be verified.', 'The address could not be verified', 'TCR declined it'])).toBe(
      'The association between business name and website cannot be verified; the address could not be verified; The Campaign Registry declined it',
    );
    expect(plainReasons([undefined, ''])).toBe('no reason given');
    expect(plainReasons(['Brand Registration Failure: Invalid or expired OTP. Request a new OTP.'])).toBe('Invalid or expired OTP. Request a new OTP');
  });
});
