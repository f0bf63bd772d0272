// Which opt-out action an inbound message carries: Advanced Opt-Out's OptOutType when Twilio sends it,
// otherwise Twilio's default English keyword lists (FACTS §10), matched on the whole trimmed body, any case.
export type OptOutAction = 'STOP' | 'START' | 'HELP';

const DEFAULT_KEYWORDS: Record<OptOutAction, readonly string[]> = {
  STOP: ['STOP', 'UNSUBSCRIBE', 'END', 'QUIT', 'STOPALL', 'REVOKE', 'OPTOUT', 'CANCEL'],
  // YES is cited by the Advanced Opt-Out guide as a supported opt-in keyword; US toll-free ignores it at the
  // carrier, but the platform's own block list follows the messaging service's behaviour.
  START: ['START', 'UNSTOP', 'YES'],
  HELP: ['HELP', 'INFO'],
};

export function classifyOptOut(params: { OptOutType?: string; Body?: string }): { action: OptOutAction; keyword: string } | undefined {
  const type = params.OptOutType?.trim().toUpperCase();
  if (type === 'STOP' || type === 'START' || type === 'HELP') {
    return { action: type, keyword: (params.Body ?? '').trim().toUpperCase().slice(0, 64) || type };
  }
  // With Advanced Opt-Out on, Twilio sends OptOutType for every matched keyword, including custom ones;
  // a body without it is matched against the default lists.
  const word = (params.Body ?? '').trim().toUpperCase();
  if (!word) return undefined;
  for (const action of ['STOP', 'START', 'HELP'] as const) {
    if (DEFAULT_KEYWORDS[action].includes(word)) return { action, keyword: word };
  }
  return undefined;
}
