// Shown on every page of a business whose sending was paused after it worked: the carriers suspended its A2P
// brand or campaign, or its Twilio account is suspended or closed. The text is the server's, said to "you"
// (the same a send would be refused with); "not finished yet" is the progress page's business, not a banner's.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../app/context.tsx';
import { sendingStatusQuery } from '../api/queries.ts';
import { Link } from '../router.tsx';

const PAUSED = /^(a2p_|subaccount_suspended|subaccount_closed|twilio_account_)/;

export function SendingPausedBanner({ customerId }: { customerId: string }) {
  const api = useApi();
  const status = useQuery(sendingStatusQuery(api, customerId));
  const s = status.data;
  if (!s) return null;
  const paused = [
    { channel: 'Texts', r: s.sms },
    { channel: 'WhatsApp', r: s.whatsapp },
  ].filter((c) => c.r.code && PAUSED.test(c.r.code));
  // One account behind both channels: say it once.
  const details = [...new Map(paused.map((c) => [c.r.detail, c.channel])).entries()];
  if (!details.length) return null;
  return (
    <div className="banner banner-stack" role="region" aria-label="Sending is paused">
      {details.map(([detail]) => (
        <p key={detail}>
          <strong>Sending is paused.</strong> {detail}
        </p>
      ))}
      <p className="banner-actions">
        <Link to={`/customers/${customerId}/progress`}>See your progress</Link>
      </p>
    </div>
  );
}
