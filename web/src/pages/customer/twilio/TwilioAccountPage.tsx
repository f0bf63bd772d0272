// The customer's Twilio account: for a business that connected its own account, the connection (status, sender,
// test, reconnect, disconnect); for one on a platform-made subaccount, what that means.
import { useQuery } from '@tanstack/react-query';
import { customerQuery, twilioConnectionQuery } from '../../../api/queries.ts';
import { useApi } from '../../../app/context.tsx';
import { ErrorNotice, Loading } from '../../../components/states.tsx';
import { Link } from '../../../router.tsx';
import { TwilioConnectionPanel } from './TwilioConnection.tsx';

export function TwilioAccountPage({ customerId }: { customerId: string }) {
  const api = useApi();
  const customer = useQuery(customerQuery(api, customerId));
  const byoa = customer.data?.twilioMode === 'byoa';
  const connection = useQuery({ ...twilioConnectionQuery(api, customerId), enabled: byoa });

  if (customer.isPending || (byoa && connection.isPending)) return <Loading label="Loading your Twilio account…" />;
  const failed = customer.isError ? customer : connection.isError ? connection : null;
  if (failed) {
    return (
      <>
        <h1>Twilio account</h1>
        <ErrorNotice error={failed.error} retry={() => void failed.refetch()} />
      </>
    );
  }
  const canManage = customer.data!.myRole === 'owner';
  return (
    <>
      <h1>Twilio account</h1>
      {byoa ? (
        <div className="card">
          <TwilioConnectionPanel customerId={customerId} connection={connection.data ?? null} canManage={canManage} />
          {connection.data?.messagingServiceSid && (
            <p>
              <Link to={`/customers/${customerId}/send`}>Send a test message</Link> through it.
            </p>
          )}
        </div>
      ) : (
        <div className="card">
          <p>
            Your business uses a Twilio account we made for it: we manage its numbers and registrations. Follow them on the{' '}
            <Link to={`/customers/${customerId}/progress`}>progress page</Link>.
          </p>
        </div>
      )}
    </>
  );
}
