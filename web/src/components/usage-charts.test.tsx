// @vitest-environment jsdom
// The usage page's plain-SVG pieces: the messages chart says in words what its bars show, and the budget bar
// says how much of the budget is spent and that sends stop at 100 %.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import { BudgetBar, MessagesChart } from './usage-charts.tsx';

afterEach(cleanup);

describe('usage charts', () => {
  it('draws one stacked bar per day with a text alternative counting messages by status', () => {
    const { container } = render(
      <MessagesChart
        from="2026-12-01"
        to="2026-12-03"
        counts={[
          { date: '2026-12-01', channel: 'sms', direction: 'outbound', status: 'delivered', count: 5, segments: 5 },
          { date: '2026-12-03', channel: 'sms', direction: 'outbound', status: 'failed', count: 2, segments: 2 },
          { date: '2026-12-03', channel: 'whatsapp', direction: 'outbound', status: 'read', count: 1, segments: 1 },
        ]}
      />,
    );
    expect(screen.getByRole('img')).toHaveAccessibleName('Messages per day from 2026-12-01 to 2026-12-03: 8 in all (6 delivered, 0 on the way, 0 not delivered, 2 failed)');
    expect(container.querySelectorAll('g')).toHaveLength(3);
    expect(container.querySelectorAll('rect.bar-delivered')).toHaveLength(2);
    expect(container.querySelectorAll('rect.bar-failed')).toHaveLength(1);
  });

  it('shows spend against the budget, and says sends stop once it is used up', () => {
    render(<BudgetBar spend={40} budget={50} />);
    expect(screen.getByRole('meter')).toHaveAttribute('aria-valuetext', '$40.00 of $50.00 USD');
    expect(screen.getByText(/monthly budget \(80%\)/)).toBeInTheDocument();
    cleanup();
    render(<BudgetBar spend={52} budget={50} />);
    expect(screen.getByText(/New messages are refused until next month/)).toBeInTheDocument();
    cleanup();
    render(<BudgetBar spend={3.5} budget={null} />);
    expect(screen.getByText(/No monthly budget is set/)).toBeInTheDocument();
  });
});
