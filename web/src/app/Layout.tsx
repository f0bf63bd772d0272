// The page frame: skip link, header with the sections this person may use, and the main region that takes
// focus after each navigation so keyboard and screen-reader users start at the new page's heading.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MeResponse } from '../../../shared/auth.ts';
import type { TwilioMode } from '../../../shared/twilio-connection.ts';
import { customerQuery, forgetPersonalData, twilioConnectionQuery } from '../api/queries.ts';
import { useApi, useSession } from './context.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { ErrorNotice } from '../components/states.tsx';
import { SendingPausedBanner } from '../components/SendingPausedBanner.tsx';
import { ResendVerificationButton } from '../pages/account/ResendVerification.tsx';
import { ConnectTwilioForm } from '../pages/customer/twilio/TwilioConnection.tsx';
import { NotificationsMenu } from '../components/NotificationsMenu.tsx';

interface NavItem {
  to: string;
  label: string;
}

/** The business a page is about: the one in its path, else the person's first. */
const businessOf = (me: MeResponse | undefined, customerId: string | undefined) => customerId ?? me?.memberships[0]?.customerId;

export function navFor(me: MeResponse | undefined, customerId: string | undefined, twilioMode?: TwilioMode): { title: string; items: NavItem[] }[] {
  if (!me) return [];
  const groups: { title: string; items: NavItem[] }[] = [];
  const id = businessOf(me, customerId);
  if (id) {
    const base = `/customers/${id}`;
    groups.push({
      title: 'Business',
      items: [
        { to: `${base}/progress`, label: 'Progress' },
        { to: `${base}/onboarding`, label: 'Onboarding' },
        { to: `${base}/numbers`, label: 'Numbers' },
        // Templates are registered in the platform's subaccount; a business on its own account does it there.
        ...(twilioMode === 'byoa' ? [] : [{ to: `${base}/templates`, label: 'Templates' }]),
        { to: `${base}/send`, label: 'Send test' },
        { to: `${base}/messages`, label: 'Messages' },
        { to: `${base}/usage`, label: 'Usage' },
        { to: `${base}/opt-outs`, label: 'Opt-outs' },
        { to: `${base}/team`, label: 'Team' },
        // A business on its own Twilio account manages the connection (and reconnects it) here.
        ...(twilioMode === 'byoa' ? [{ to: `${base}/twilio`, label: 'Twilio account' }] : []),
      ],
    });
    // More than one business (an accepted invitation): switch between them.
    if (me.memberships.length > 1) {
      groups.push({ title: 'Your businesses', items: me.memberships.map((m) => ({ to: `/customers/${m.customerId}/progress`, label: m.customerName })) });
    }
  } else if (!me.user.roles.length) {
    groups.push({ title: 'Business', items: [{ to: '/onboarding', label: 'Start onboarding' }] });
  }
  if (me.user.roles.includes('admin')) {
    groups.push({
      title: 'Admin',
      items: [
        { to: '/admin/approvals', label: 'Approvals' },
        { to: '/admin/customers', label: 'Customers' },
      ],
    });
  }
  if (me.user.roles.includes('operator')) {
    groups.push({
      title: 'Operator',
      items: [
        { to: '/operator/subaccounts', label: 'Subaccounts' },
        { to: '/operator/audit-log', label: 'Audit log' },
        { to: '/operator/health', label: 'Twilio health' },
        { to: '/operator/usage', label: 'Usage' },
      ],
    });
  }
  return groups;
}

export function Layout({ me, customerId, children }: { me?: MeResponse; customerId?: string; children: ReactNode }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    // Not on first load (the browser starts at the top anyway); on every later navigation.
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.focus();
  }, [pathname]);

  const [signOutError, setSignOutError] = useState<unknown>(null);
  const [signingOut, setSigningOut] = useState(false);

  const signOut = async (everywhere = false) => {
    setSignOutError(null);
    setSigningOut(true);
    try {
      if (everywhere) await session.signOutEverywhere();
      else await session.signOut();
    } catch (err) {
      // Only "everywhere" can fail: the other devices may still be signed in, so this one stays signed in too.
      setSignOutError(err);
      return;
    } finally {
      setSigningOut(false);
    }
    navigate('/signin', { replace: true });
    // Once the signed-in pages have unmounted: removing queries under live observers strands them.
    setTimeout(() => forgetPersonalData(queryClient), 0);
  };

  const businessId = me ? businessOf(me, customerId) : undefined;
  const api = useApi();
  const customer = useQuery({ ...customerQuery(api, businessId ?? ''), enabled: Boolean(businessId) });
  const groups = navFor(me, customerId, customer.data?.twilioMode);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-row">
          <Link to="/" className="brand">
            Messaging onboarding
          </Link>
          {me && (
            <div className="who">
              {businessId && <NotificationsMenu customerId={businessId} />}
              <span className="who-email">{me.user.email}</span>
              {me.user.roles.map((r) => (
                <span key={r} className="badge badge-info">
                  {r}
                </span>
              ))}
              <button type="button" className="button-link" onClick={() => void signOut()} disabled={signingOut}>
                Sign out
              </button>
              <button type="button" className="button-link" onClick={() => void signOut(true)} disabled={signingOut}>
                Sign out everywhere
              </button>
            </div>
          )}
        </div>
        {signOutError !== null && <ErrorNotice error={signOutError} title="You were not signed out of your other devices" />}
        {me && !me.user.emailVerified && (
          <div className="banner" role="region" aria-label="Confirm your email">
            <p>
              <strong>Confirm your email:</strong> we sent a link to <strong>{me.user.email}</strong>. Open it to set up your business and accept
              invitations.
            </p>
            <p className="banner-actions">
              <ResendVerificationButton />
            </p>
          </div>
        )}
        {businessId && pathname !== `/customers/${businessId}/send` && <SendingPausedBanner customerId={businessId} />}
        {businessId && customer.data?.twilioMode === 'byoa' && pathname !== `/customers/${businessId}/twilio` && (
          <CredentialsInvalidBanner customerId={businessId} canManage={customer.data.myRole === 'owner'} />
        )}
        {groups.length > 0 && (
          <nav aria-label="Main">
            {groups.map((g) => (
              <div className="nav-group" key={g.title}>
                <span className="nav-title">{g.title}</span>
                <ul>
                  {g.items.map((item) => {
                    const current = pathname === item.to || (item.to.endsWith('/messages') && pathname.startsWith(`${item.to}/`));
                    return (
                      <li key={item.to}>
                        <Link to={item.to} aria-current={current ? 'page' : undefined}>
                          {item.label}
                        </Link>
                      </li>
                    );
                  })}
                </ul>
              </div>
            ))}
          </nav>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** Shown on every page of a business whose own Twilio account stopped accepting the stored token (Twilio 20003). */
function CredentialsInvalidBanner({ customerId, canManage }: { customerId: string; canManage: boolean }) {
  const api = useApi();
  const connection = useQuery(twilioConnectionQuery(api, customerId));
  const c = connection.data;
  if (!c || c.status !== 'credentials_invalid') return null;
  return (
    <div className="banner banner-stack" role="region" aria-label="Reconnect your Twilio account">
      <p>
        <strong>Twilio refuses the credentials of your account {c.accountSid}:</strong> messages cannot be sent until{' '}
        {canManage ? 'you enter its current Auth Token.' : 'an owner of the business reconnects it.'}
        {c.lastError ? ` ${c.lastError}` : ''}
      </p>
      {canManage && <ConnectTwilioForm customerId={customerId} reconnect={c} />}
    </div>
  );
}
