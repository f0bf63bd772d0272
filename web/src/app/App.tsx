// Boots the portal (reads GET /api/config, picks embedded or Supabase auth) and maps paths to pages.
// Admin and operator pages are lazy-loaded: most people never open them, so they stay out of the first bundle.
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { MeResponse } from '../../../shared/auth.ts';
import { embeddedBackend, supabaseBackend } from '../auth/session.ts';
import { meQuery, portalConfigQuery } from '../api/queries.ts';
import { ErrorNotice, Loading } from '../components/states.tsx';
import { navigate, useLocation } from '../router.tsx';
import { SignInPage } from '../pages/SignInPage.tsx';
import { ForgotPasswordPage } from '../pages/account/ForgotPasswordPage.tsx';
import { ResetPasswordPage } from '../pages/account/ResetPasswordPage.tsx';
import { VerifyEmailPage } from '../pages/account/VerifyEmailPage.tsx';
import { useApi, useSession } from './context.tsx';
import { Layout } from './Layout.tsx';
import { customerRoutes } from './customer-routes.tsx';

const ApprovalsPage = lazy(() => import('../pages/admin/ApprovalsPage.tsx'));
const AdminCustomersPage = lazy(() => import('../pages/admin/CustomersPage.tsx'));
const SubaccountsPage = lazy(() => import('../pages/operator/SubaccountsPage.tsx'));
const AuditLogPage = lazy(() => import('../pages/operator/AuditLogPage.tsx'));
const HealthPage = lazy(() => import('../pages/operator/HealthPage.tsx'));
const UsageDashboardPage = lazy(() => import('../pages/operator/UsageDashboardPage.tsx'));

export function App() {
  const api = useApi();
  const session = useSession();
  const config = useQuery(portalConfigQuery(api));
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const settings = config.data;
    if (!settings) return;
    let cancelled = false;
    void (async () => {
      const backend = settings.supabase ? await supabaseBackend(settings.supabase) : embeddedBackend(api, window.localStorage);
      if (cancelled) return;
      session.use(backend);
      setReady(true);
    })();
    return () => {
      cancelled = true;
    };
  }, [config.data, api, session]);

  if (config.isError) {
    return (
      <Layout>
        <ErrorNotice error={config.error} retry={() => void config.refetch()} title="The portal could not start" />
      </Layout>
    );
  }
  if (!ready) {
    return (
      <Layout>
        <Loading label="Starting…" />
      </Layout>
    );
  }
  return <Routes />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

const ACCOUNT_PAGES: Record<string, ReactNode> = {
  '/verify-email': <VerifyEmailPage />,
  '/forgot-password': <ForgotPasswordPage />,
  '/reset-password': <ResetPasswordPage />,
};

function Routes() {
  const session = useSession();
  const { pathname, href } = useLocation();
  useEffect(() => {
    document.title = titleFor(pathname);
  }, [pathname]);
  // The links in account emails work signed in or not (a link is often opened on another device).
  const accountPage = ACCOUNT_PAGES[pathname];
  if (accountPage) return <Layout>{accountPage}</Layout>;
  if (pathname === '/signin' || pathname === '/signup') {
    if (session.hasSession()) return <Redirect to="/" />;
    return (
      <Layout>
        <SignInPage mode={pathname === '/signin' ? 'signin' : 'signup'} />
      </Layout>
    );
  }
  if (!session.hasSession()) return <Redirect to={`/signin${pathname === '/' ? '' : `?next=${encodeURIComponent(href)}`}`} />;
  return <SignedIn />;
}

/** Where a person lands: their business's progress, the wizard when they have none, else their role's home. */
export function homeFor(me: MeResponse): string {
  const first = me.memberships[0];
  if (first) return `/customers/${first.customerId}/progress`;
  if (me.user.roles.includes('admin')) return '/admin/approvals';
  if (me.user.roles.includes('operator')) return '/operator/subaccounts';
  return '/onboarding';
}

const ROLE_PAGES = { admin: 'ISV admins', operator: 'the master-account operator' } as const;

/** A page for another role: say whose page it is and where this person's own start page is, not "try again". */
function Forbidden({ role, me }: { role: 'admin' | 'operator'; me: MeResponse }) {
  return (
    <>
      <h1>Not available to your account</h1>
      <div className="state state-error" role="alert">
        <strong>This page is for {ROLE_PAGES[role]}.</strong> Your account does not have that role; an ISV admin can grant it.
      </div>
      <p>
        <a href={homeFor(me)}>Go to your start page</a>
      </p>
    </>
  );
}

const TITLES: [RegExp, string][] = [
  [/^\/signin$/, 'Sign in'],
  [/^\/signup$/, 'Create an account'],
  [/^\/verify-email$/, 'Confirm your email'],
  [/^\/forgot-password$/, 'Reset your password'],
  [/^\/reset-password$/, 'Choose a new password'],
  [/^\/onboarding$/, 'Set up messaging'],
  [/^\/admin\/approvals$/, 'Approvals'],
  [/^\/admin\/customers$/, 'Customers'],
  [/^\/operator\/subaccounts$/, 'Subaccounts'],
  [/^\/operator\/audit-log$/, 'Audit log'],
  [/^\/operator\/health$/, 'Twilio health'],
  [/^\/operator\/usage$/, 'Usage dashboard'],
  [/^\/customers\/[^/]+\/usage$/, 'Usage'],
  [/^\/customers\/[^/]+\/progress$/, 'Onboarding progress'],
  [/^\/customers\/[^/]+\/onboarding$/, 'Set up messaging'],
  [/^\/customers\/[^/]+\/numbers$/, 'Phone numbers'],
  [/^\/customers\/[^/]+\/templates$/, 'WhatsApp templates'],
  [/^\/customers\/[^/]+\/send$/, 'Send a message'],
  [/^\/customers\/[^/]+\/messages$/, 'Message log'],
  [/^\/customers\/[^/]+\/messages\/[^/]+$/, 'Message'],
  [/^\/customers\/[^/]+\/opt-outs$/, 'Opt-outs'],
  [/^\/customers\/[^/]+\/team$/, 'Team'],
  [/^\/customers\/[^/]+\/twilio$/, 'Twilio account'],
];
export const PORTAL_NAME = 'Messaging onboarding portal';

/** The browser tab's title for a path: "<page> · <portal>", so tabs, history and screen readers name the page. */
export function titleFor(pathname: string): string {
  const page = TITLES.find(([re]) => re.test(pathname))?.[1];
  return page ? `${page} · ${PORTAL_NAME}` : PORTAL_NAME;
}

function SignedIn() {
  const api = useApi();
  const { pathname } = useLocation();
  const me = useQuery(meQuery(api));
  const customerId = /^\/customers\/([^/]+)/.exec(pathname)?.[1];

  if (me.isPending) {
    return (
      <Layout>
        <Loading label="Loading your account…" />
      </Layout>
    );
  }
  if (me.isError) {
    return (
      <Layout>
        <ErrorNotice error={me.error} retry={() => void me.refetch()} title="Could not load your account" />
      </Layout>
    );
  }
  const roles = me.data.user.roles;
  const gate = (role: 'admin' | 'operator', page: ReactNode) => (roles.includes(role) ? page : <Forbidden role={role} me={me.data} />);

  let page: ReactNode;
  if (pathname === '/') return <Redirect to={homeFor(me.data)} />;
  else if (pathname === '/admin/approvals') page = gate('admin', <ApprovalsPage />);
  else if (pathname === '/admin/customers') page = gate('admin', <AdminCustomersPage />);
  else if (pathname === '/operator/subaccounts') page = gate('operator', <SubaccountsPage />);
  else if (pathname === '/operator/audit-log') page = gate('operator', <AuditLogPage />);
  else if (pathname === '/operator/health') page = gate('operator', <HealthPage />);
  else if (pathname === '/operator/usage') page = gate('operator', <UsageDashboardPage />);
  else page = customerRoutes(pathname, me.data);

  return (
    <Layout me={me.data} customerId={customerId}>
      <Suspense fallback={<Loading />}>{page ?? <NotFound />}</Suspense>
    </Layout>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/">Go to your start page</a>.
      </p>
    </>
  );
}
