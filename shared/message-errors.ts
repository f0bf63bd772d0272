// Plain words for the Twilio errors a customer meets on a message, and what to do: one table for every code the
// portal shows (the message log and the message page), each with Twilio's own page. The code is still shown next
// to it; an unknown code gets the link alone rather than a guess. DOCS /docs/api/errors/<code> for each entry.
interface Explained {
  /** A few words for the message log. */
  title: string;
  /** What happened and what to do, said to the customer. */
  detail: string;
}

const EXPLAINED: Record<number, Explained> = {
  21211: { title: 'Not a valid phone number', detail: 'The number you sent to is not a valid phone number. Check it, including the country code, and send again.' },
  21610: { title: 'Recipient opted out', detail: 'This person replied STOP to you, so texts to them are blocked until they reply START.' },
  21614: { title: 'Not a mobile number', detail: 'The number you sent to cannot receive texts (it is not a mobile number). Ask the person for a mobile number.' },
  30001: { title: 'Sending too fast', detail: 'More messages were waiting to go out from your number than it can send, and this one expired in the queue. Send fewer messages at once, or spread them out.' },
  30002: { title: 'Account suspended', detail: 'Sending from your account is suspended, so nothing went out. Contact your provider to have it reactivated; the message itself is fine.' },
  30003: { title: 'Phone unreachable', detail: 'The phone was switched off or out of coverage and the carrier gave up. You can try again later.' },
  30004: { title: 'Blocked by the recipient or carrier', detail: 'The person has blocked your number, or their carrier blocks texts to them. Reach them another way.' },
  30005: { title: 'Number does not exist', detail: 'The carrier says this number does not exist or is no longer in service. Check the number.' },
  30006: { title: 'Landline or unsupported carrier', detail: 'The number is a landline, or its carrier does not accept texts. Ask the person for a mobile number.' },
  30007: { title: 'Filtered by the carrier', detail: 'The carrier filtered this text as unwanted (for example spam-like wording, a link shortener, or content your campaign does not cover). Make the text match your registered use case and include your business name.' },
  30008: { title: 'Unknown carrier error', detail: 'The carrier refused the text without saying why. Try again later; if it keeps happening, contact your provider.' },
  30022: { title: 'Over your campaign’s rate', detail: 'Carriers refused this text because your campaign sent faster than its allowed rate, or sent too many texts to this person in a short time. Slow down your sending.' },
  30034: { title: 'Number not registered yet', detail: 'Carriers blocked this text because the number it was sent from is not registered to your US texting campaign yet. Nothing went out and you were not charged for delivery; send it again once your progress page shows the number as registered.' },
  63016: { title: 'Outside the 24-hour window', detail: 'WhatsApp only lets a business send free-form text within 24 hours of the person’s last message. Send an approved template instead.' },
  63038: { title: 'Daily limit reached', detail: 'Your account reached its limit of messages for a rolling 24 hours. Sending resumes as the window moves on.' },
};

export function explainMessageError(code: number | null): string | undefined {
  return code === null ? undefined : EXPLAINED[code]?.detail;
}

/** The few words the message log shows beside the code, or undefined for a code without an entry. */
export function messageErrorTitle(code: number | null): string | undefined {
  return code === null ? undefined : EXPLAINED[code]?.title;
}

/** Twilio's page on an error code. */
export const twilioErrorUrl = (code: number): string => `https://www.twilio.com/docs/api/errors/${code}`;
