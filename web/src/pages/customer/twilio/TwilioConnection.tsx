// Bring your own Twilio account: the connect (or reconnect) form, the choice of the messaging service that sends,
// and the masked connection with "Test connection" and "Disconnect". Used by the wizard's second step for
// customers that connect their own account and by the Twilio account page; the reconnect form also sits in the
// banner shown when Twilio starts refusing the stored token.
import { useCallback, useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { connectTwilioSchema, testConnectionSchema, type ConnectionResources, type TestConnectionResponse, type TwilioConnection } from '../../../../../shared/twilio-connection.ts';
import { ApiError } from '../../../api/client.ts';
import { chooseSender, connectTwilio, disconnectTwilio, testTwilioConnection } from '../../../api/mutations.ts';
import { connectionResourcesQuery } from '../../../api/queries.ts';
import { useApi } from '../../../app/context.tsx';
import { useFocusWhen } from '../../../components/focus.ts';
import { FormErrorSummary, RadioGroup, TextField, validateWith } from '../../../components/form.tsx';
import { formatDateTime } from '../../../components/format.ts';
import { ErrorNotice, QueryStates, errorMessage } from '../../../components/states.tsx';
import { StatusBadge } from '../../../components/status.tsx';
import { Link } from '../../../router.tsx';
import { useSchemaForm, type FormValues } from '../../../components/use-schema-form.ts';

const CONNECT_LABELS: Record<string, string> = { accountSid: 'Account SID', authToken: 'Auth Token' };

const trimmed = (values: FormValues) => ({
  accountSid: typeof values.accountSid === 'string' ? values.accountSid.trim() : '',
  authToken: typeof values.authToken === 'string' ? values.authToken.trim() : '',
});

/**
 * Only a plain validation failure is said at the fields alone; Twilio's refusals (twilio_credentials_rejected
 * and the other 422s) carry a `detail` that explains what to do, shown above the form even when they also name a field.
 */
const onlyFieldErrors = (err: unknown) => err instanceof ApiError && err.errors.length > 0 && err.code === 'validation_failed';

/** Every query about this customer's connection (and the customer itself, whose mode may change) is refreshed. */
function useRefreshConnection(customerId: string) {
  const queryClient = useQueryClient();
  return useCallback(
    async (connection?: TwilioConnection | null) => {
      if (connection !== undefined) queryClient.setQueryData(['customers', customerId, 'twilio-connection'], connection);
      await queryClient.invalidateQueries({ queryKey: ['customers', customerId] });
      await queryClient.invalidateQueries({ queryKey: ['me'] });
    },
    [queryClient, customerId],
  );
}

/**
 * Account SID and Auth Token, checked with the shared connectTwilioSchema before anything is sent. `reconnect`
 * keeps the connected account's SID and asks only for the new token (PUT again with the same SID).
 */
export function ConnectTwilioForm({ customerId, reconnect, onConnected }: { customerId: string; reconnect?: TwilioConnection; onConnected?: (c: TwilioConnection) => void }) {
  const api = useApi();
  const refresh = useRefreshConnection(customerId);
  const form = useSchemaForm(connectTwilioSchema, { accountSid: reconnect?.accountSid ?? '', authToken: '' }, trimmed);
  const connect = useMutation({
    mutationFn: (body: unknown) => connectTwilio(api, customerId, body),
    onSuccess: async (connection) => {
      await refresh(connection);
      onConnected?.(connection);
    },
  });
  const { showServerError } = form;
  useEffect(() => {
    if (connect.error) showServerError(connect.error);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connect.error]);
  const field = (path: 'accountSid' | 'authToken') => ({
    label: CONNECT_LABELS[path]!,
    name: path,
    value: form.str(path),
    onChange: (v: string) => form.set(path, v),
    onBlur: form.touch(path),
    error: form.errorFor(path),
  });
  return (
    <form onSubmit={form.handleSubmit((data) => connect.mutate(data))} noValidate aria-label={reconnect ? 'Reconnect your Twilio account' : 'Connect your Twilio account'}>
      <FormErrorSummary errors={form.summary} labels={CONNECT_LABELS} focusKey={form.failedSubmits} />
      {connect.isError && !onlyFieldErrors(connect.error) && (
        <div className="state state-error" role="alert">
          <strong>{reconnect ? 'Your Twilio account was not reconnected' : 'Your Twilio account was not connected'}.</strong> {errorMessage(connect.error)}
        </div>
      )}
      {reconnect ? (
        <p>
          Account <code>{reconnect.accountSid}</code>: enter its current Auth Token.
        </p>
      ) : (
        <TextField
          {...field('accountSid')}
          required
          autoComplete="off"
          placeholder="AC…"
          help="In the Twilio Console, under Account info on the account’s dashboard: AC followed by 32 characters."
        />
      )}
      <TextField
        {...field('authToken')}
        type="password"
        required
        autoComplete="off"
        help="Shown under Account info next to the Account SID (click to reveal). We check it with Twilio, store it encrypted and never show it again."
      />
      <button type="submit" disabled={connect.isPending}>
        {connect.isPending ? 'Checking with Twilio…' : reconnect ? 'Reconnect' : 'Connect account'}
      </button>
    </form>
  );
}

/** Twilio's `campaign_status` of a messaging service's A2P 10DLC campaign, in plain words. */
export function campaignStatusText(status: string | null): string {
  switch ((status ?? '').toUpperCase()) {
    case '':
      return 'No US texting campaign (A2P 10DLC) registered';
    case 'VERIFIED':
      return 'US texting campaign (A2P 10DLC) registered and verified';
    case 'PENDING':
    case 'IN_PROGRESS':
      return 'US texting campaign (A2P 10DLC) under review by the carriers';
    case 'FAILED':
      return 'US texting campaign (A2P 10DLC) rejected';
    case 'SUSPENDED':
      return 'US texting campaign (A2P 10DLC) suspended';
    default:
      return `US texting campaign (A2P 10DLC): ${status!.toLowerCase().replace(/_/g, ' ')}`;
  }
}

const verified = (status: string | null) => (status ?? '').toUpperCase() === 'VERIFIED';

type Service = ConnectionResources['messagingServices'][number];

function ServiceDescription({ service }: { service: Service }) {
  return (
    <>
      <span className="service-numbers">{service.phoneNumbers.length ? `Numbers: ${service.phoneNumbers.join(', ')}` : 'No phone numbers in this service yet'}</span>
      <br />
      <span>{campaignStatusText(service.campaignStatus)}</span>
      {!verified(service.campaignStatus) && (
        <>
          <br />
          <strong>Note:</strong> US carriers block texts from 10-digit (10DLC) numbers unless the service has a registered and verified A2P campaign.
          Choose it anyway and we register the brand and campaign in your own Twilio account in the next step (or register them in your Twilio Console).
        </>
      )}
    </>
  );
}

/** One radio per messaging service of the connected account; the chosen one sends the customer's messages. */
export function ChooseSenderForm({ customerId, connection, onChosen }: { customerId: string; connection: TwilioConnection; onChosen?: (c: TwilioConnection) => void }) {
  const api = useApi();
  const refresh = useRefreshConnection(customerId);
  const resources = useQuery(connectionResourcesQuery(api, customerId));
  const [picked, setPicked] = useState(connection.messagingServiceSid ?? '');
  // Untouched (undefined): keep the WhatsApp sender chosen before, if any.
  const [whatsappPick, setWhatsapp] = useState<string | undefined>();
  const whatsapp = whatsappPick ?? resources.data?.whatsappSenders.find((w) => w.senderId === connection.whatsappFrom)?.sid ?? '';
  const [missing, setMissing] = useState(0);
  const choose = useMutation({
    mutationFn: (sid: string) => chooseSender(api, customerId, { messagingServiceSid: sid, whatsappSenderSid: whatsapp || null }),
    onSuccess: async (saved) => {
      await refresh(saved);
      onChosen?.(saved);
    },
  });
  const alert = useFocusWhen<HTMLParagraphElement>(missing);
  return (
    <section aria-labelledby="choose-sender-heading">
      <h3 id="choose-sender-heading">Choose your sender</h3>
      <p>Pick the messaging service of your Twilio account that sends your messages. We point its status callbacks at us so you can follow delivery here.</p>
      <QueryStates
        query={resources}
        loading="Reading your Twilio account…"
        isEmpty={(r) => r.messagingServices.length === 0}
        empty={
          <p>
            Your Twilio account has no messaging service yet. Create one in the Twilio Console (Messaging › Services), add a phone number to it, then{' '}
            <button type="button" className="button-link" onClick={() => void resources.refetch()}>
              look again
            </button>
            .
          </p>
        }
      >
        {(r) => (
          <form
            noValidate
            aria-label="Choose your sender"
            onSubmit={(e) => {
              e.preventDefault();
              if (!picked) setMissing((n) => n + 1);
              else choose.mutate(picked);
            }}
          >
            {choose.isError && <ErrorNotice error={choose.error} title="The sender was not saved" />}
            {missing > 0 && !picked && (
              <p className="state state-error" role="alert" tabIndex={-1} ref={alert}>
                Choose one of your messaging services.
              </p>
            )}
            <RadioGroup
              legend="Messaging service"
              name="messagingServiceSid"
              value={picked}
              onChange={setPicked}
              options={r.messagingServices.map((s) => ({ value: s.sid, label: <strong>{s.friendlyName}</strong>, help: <ServiceDescription service={s} /> }))}
            />
            {r.whatsappSenders.length > 0 && (
              <RadioGroup
                legend="WhatsApp sender (optional)"
                name="whatsappSenderSid"
                value={whatsapp}
                onChange={setWhatsapp}
                options={[
                  { value: '', label: <strong>No WhatsApp</strong>, help: <span>Send SMS only.</span> },
                  ...r.whatsappSenders.map((w) => ({
                    value: w.sid,
                    label: <strong>{w.senderId.replace(/^whatsapp:/, '')}</strong>,
                    help: <span>{w.status.startsWith('ONLINE') ? 'Online: sends your WhatsApp messages; replies come here' : `Not online yet (${w.status.toLowerCase()}): it can send once WhatsApp approves it`}</span>,
                  })),
                ]}
              />
            )}
            <button type="submit" disabled={choose.isPending}>
              {choose.isPending ? 'Saving…' : 'Use this sender'}
            </button>
          </form>
        )}
      </QueryStates>
    </section>
  );
}

function Capabilities({ result }: { result: TestConnectionResponse }) {
  const c = result.capabilities;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <div className="state state-success" role="status">
      <strong>The connection works.</strong> Your account has {plural(c.phoneNumbers, 'phone number', 'phone numbers')},{' '}
      {plural(c.messagingServices, 'messaging service', 'messaging services')} ({c.a2pVerifiedServices} with a verified US texting campaign) and{' '}
      {plural(c.whatsappSenders, 'WhatsApp sender', 'WhatsApp senders')}.
      {result.testMessage && (
        <>
          {' '}
          Twilio accepted the test message (<code>{result.testMessage.sid}</code>, {result.testMessage.status}).
        </>
      )}
    </div>
  );
}

/** The masked connection (never the token), with Test connection and, for owners, Disconnect. */
export function ConnectionSummary({ customerId, connection, canManage, onDisconnected }: { customerId: string; connection: TwilioConnection; canManage: boolean; onDisconnected?: () => void }) {
  const api = useApi();
  const refresh = useRefreshConnection(customerId);
  const [confirming, setConfirming] = useState(false);
  const [to, setTo] = useState('');
  const [toError, setToError] = useState<string | undefined>();
  const test = useMutation({
    mutationFn: (body: unknown) => testTwilioConnection(api, customerId, body),
    onSuccess: (res) => void refresh(res.connection),
    onError: () => void refresh(),
  });
  const disconnect = useMutation({
    mutationFn: () => disconnectTwilio(api, customerId),
    onSuccess: async () => {
      await refresh(null);
      onDisconnected?.();
    },
  });
  const invalid = connection.status === 'credentials_invalid';
  return (
    <section aria-labelledby="connection-heading">
      <h3 id="connection-heading">Connected Twilio account</h3>
      <dl className="facts">
        <dt>Account</dt>
        <dd>
          {connection.friendlyName} (<code>{connection.accountSid}</code>)
        </dd>
        <dt>Auth Token</dt>
        <dd>
          <span className="visually-hidden">ending in </span>
          <code>••••{connection.tokenLast4}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={invalid ? 'failed' : 'active'} label={invalid ? 'Twilio refuses the credentials' : 'Connected'} />
          {connection.accountStatus !== 'active' && (
            <>
              {' '}
              <StatusBadge status={connection.accountStatus} label={`Account ${connection.accountStatus}`} />
            </>
          )}
        </dd>
        <dt>Last checked</dt>
        <dd>{formatDateTime(connection.lastCheckedAt)}</dd>
        <dt>Sender</dt>
        <dd>
          {connection.messagingServiceSid ? <code>{connection.messagingServiceSid}</code> : 'Not chosen yet'}
          {connection.messagingServiceSid && (
            <div className="muted">
              {campaignStatusText(connection.senderCampaignStatus)}
              {!verified(connection.senderCampaignStatus) && (
                <>
                  {' '}
                  · <Link to={`/customers/${customerId}/onboarding?step=3`}>Register it in your account</Link>
                </>
              )}
            </div>
          )}
        </dd>
        {connection.whatsappFrom && (
          <>
            <dt>WhatsApp sender</dt>
            <dd>{connection.whatsappFrom.replace(/^whatsapp:/, '')}</dd>
          </>
        )}
      </dl>
      {connection.lastError && (
        <p className="state state-error">
          <strong>Last check failed:</strong> {connection.lastError}
        </p>
      )}
      {test.isError && <ErrorNotice error={test.error} title="The connection test failed" />}
      {test.data && !test.isPending && <Capabilities result={test.data} />}
      <form
        noValidate
        aria-label="Test the connection"
        onSubmit={(e) => {
          e.preventDefault();
          const checked = validateWith(testConnectionSchema, to.trim() ? { to: to.trim() } : {});
          setToError(checked.ok ? undefined : checked.errors.to);
          if (checked.ok) test.mutate(checked.data);
        }}
      >
        <TextField
          label="Send a test text to"
          name="to"
          type="tel"
          value={to}
          onChange={setTo}
          error={toError}
          placeholder="+14155550123"
          help="Leave empty to only check the account; with a number, Twilio also sends a short test text from your sender."
        />
        <button type="submit" className="button-secondary" disabled={test.isPending}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
      </form>
      <div className="actions">
        {canManage && !confirming && (
          <button type="button" className="button-secondary" onClick={() => setConfirming(true)}>
            Disconnect…
          </button>
        )}
      </div>
      {canManage && confirming && (
        <div className="card" role="region" aria-label="Disconnect your Twilio account?">
          <p>
            <strong>Disconnect {connection.accountSid}?</strong> We stop sending through it and put its messaging service’s callback URLs back as they
            were. Your business goes back to a Twilio account made by us.
          </p>
          {disconnect.isError && <ErrorNotice error={disconnect.error} title="The account was not disconnected" />}
          <div className="actions">
            <button type="button" className="button-danger" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
              {disconnect.isPending ? 'Disconnecting…' : 'Disconnect'}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              Keep it connected
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * Everything about the connection in the order a person needs it: connect when there is none, reconnect when
 * Twilio refuses the token, then the summary and the sender choice. Members see the state; owners act.
 */
export function TwilioConnectionPanel({
  customerId,
  connection,
  canManage,
  onSenderChosen,
}: {
  customerId: string;
  connection: TwilioConnection | null;
  canManage: boolean;
  onSenderChosen?: (c: TwilioConnection) => void;
}) {
  const [changingSender, setChangingSender] = useState(false);
  if (!connection) {
    return canManage ? (
      <>
        <p className="lede">Connect the Twilio account your business already uses. You find both values on the dashboard of the Twilio Console.</p>
        <ConnectTwilioForm customerId={customerId} />
      </>
    ) : (
      <p>No Twilio account is connected yet. An owner of the business can connect it.</p>
    );
  }
  const invalid = connection.status === 'credentials_invalid';
  return (
    <>
      {invalid && (
        <div className="state state-error" role="alert">
          <p>
            <strong>Twilio no longer accepts the Auth Token of {connection.accountSid}.</strong> Messages cannot be sent until{' '}
            {canManage ? 'you reconnect the account with its current token.' : 'an owner reconnects the account.'}
          </p>
          {canManage && <ConnectTwilioForm customerId={customerId} reconnect={connection} />}
        </div>
      )}
      <ConnectionSummary customerId={customerId} connection={connection} canManage={canManage} />
      {canManage && !invalid && (!connection.messagingServiceSid || changingSender) ? (
        <ChooseSenderForm
          customerId={customerId}
          connection={connection}
          onChosen={(c) => {
            setChangingSender(false);
            onSenderChosen?.(c);
          }}
        />
      ) : (
        canManage &&
        !invalid && (
          <p>
            <button type="button" className="button-secondary" onClick={() => setChangingSender(true)}>
              Change sender
            </button>
          </p>
        )
      )}
    </>
  );
}
