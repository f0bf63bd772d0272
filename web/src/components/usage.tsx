// This month's usage of a Twilio account (messages and price), as the operator's account tables show it.
import type { SubaccountUsage } from '../../../shared/operator.ts';

export function MonthUsage({ usage }: { usage: SubaccountUsage | null }) {
  if (!usage) return <span className="muted">—</span>;
  return (
    <>
      {usage.count} messages
      <div className="muted">
        {usage.price.toFixed(2)} {usage.priceUnit}
      </div>
    </>
  );
}
