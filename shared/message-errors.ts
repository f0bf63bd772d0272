// Plain words for the Twilio delivery errors a customer meets on a message, and what to do (#14). The code is still
// shown next to it; unknown codes get no explanation rather than a guess.
const EXPLAINED: Record<number, string> = {
  // DOCS /docs/api/errors/30034: US A2P 10DLC traffic from a number not registered to a campaign is blocked.
  30034: 'Carriers blocked this text because the number it was sent from is not registered to your US texting campaign yet. Nothing went out and you were not charged for delivery; send it again once your progress page shows the number as registered.',
  21610: 'This person replied STOP to you, so texts to them are blocked until they reply START.',
};

export function explainMessageError(code: number | null): string | undefined {
  return code === null ? undefined : EXPLAINED[code];
}
