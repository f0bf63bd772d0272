// Paths of the customer's pages. A customer id in the path that is not one of the person's is left to the
// API to refuse (404), so staff with access to every customer use the same pages.
import { lazy, type ReactNode } from 'react';
import type { MeResponse } from '../../../shared/auth.ts';
import { matchPath } from '../router.tsx';
import { MessageDetailPage } from '../pages/customer/MessageDetailPage.tsx';
import { MessagesPage } from '../pages/customer/MessagesPage.tsx';
import { NumbersPage } from '../pages/customer/NumbersPage.tsx';
import { OnboardingWizard } from '../pages/customer/onboarding/OnboardingWizard.tsx';
import { OptOutsPage } from '../pages/customer/OptOutsPage.tsx';
import { ProgressPage } from '../pages/customer/ProgressPage.tsx';
import { SendPage } from '../pages/customer/SendPage.tsx';
import { TeamPage } from '../pages/customer/TeamPage.tsx';
import { TemplatesPage } from '../pages/customer/TemplatesPage.tsx';
import { TwilioAccountPage } from '../pages/customer/twilio/TwilioAccountPage.tsx';

// The usage page carries its charts and queries; loaded when first opened.
const UsagePage = lazy(() => import('../pages/customer/UsagePage.tsx'));

const PAGES: [string, (p: Record<string, string>, me: MeResponse) => ReactNode][] = [
  ['/customers/:id/progress', (p) => <ProgressPage customerId={p.id!} />],
  ['/customers/:id/onboarding', (p) => <OnboardingWizard customerId={p.id!} />],
  ['/customers/:id/numbers', (p) => <NumbersPage customerId={p.id!} />],
  ['/customers/:id/templates', (p) => <TemplatesPage customerId={p.id!} />],
  ['/customers/:id/send', (p) => <SendPage customerId={p.id!} />],
  ['/customers/:id/messages', (p) => <MessagesPage customerId={p.id!} />],
  ['/customers/:id/messages/:messageId', (p) => <MessageDetailPage customerId={p.id!} messageId={p.messageId!} />],
  ['/customers/:id/opt-outs', (p) => <OptOutsPage customerId={p.id!} />],
  ['/customers/:id/team', (p, me) => <TeamPage customerId={p.id!} me={me} />],
  ['/customers/:id/twilio', (p) => <TwilioAccountPage customerId={p.id!} />],
  ['/customers/:id/usage', (p) => <UsagePage customerId={p.id!} />],
];

export function customerRoutes(pathname: string, me: MeResponse): ReactNode | null {
  if (pathname === '/onboarding') {
    // One business per account here: someone who already has one resumes it.
    const first = me.memberships[0];
    return first ? <OnboardingWizard customerId={first.customerId} /> : <OnboardingWizard />;
  }
  for (const [pattern, render] of PAGES) {
    const params = matchPath(pattern, pathname);
    if (params) return render(params, me);
  }
  return null;
}
