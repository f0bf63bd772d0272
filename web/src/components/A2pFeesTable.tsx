// The fees an A2P brand choice incurs, from the one table in shared/ (the customer's form and the admin's
// approval card show the same rows, with the date the figures were checked).
import type { ReactNode } from 'react';
import { A2P_FEES, A2P_FEES_CAVEAT, A2P_FEES_CHECKED_ON, type BrandChoice } from '../../../shared/a2p-fees.ts';

export function A2pFeesTable({ choice, children }: { choice: BrandChoice; children?: ReactNode }) {
  return (
    <>
      <table>
        <tbody>
          {A2P_FEES[choice].map((f) => (
            <tr key={f.what}>
              <th scope="row">{f.what}</th>
              <td>{f.amount}</td>
              <td className="muted">{f.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="field-help">
        {A2P_FEES_CAVEAT} Figures checked on {A2P_FEES_CHECKED_ON}.{children ? <> {children}</> : null}
      </p>
    </>
  );
}
