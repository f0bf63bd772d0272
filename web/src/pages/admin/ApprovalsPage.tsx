// Admin approval queue: brand/campaign data and templates wait here before anything is submitted to Twilio
// (each submission is charged). Shows the data, what changed since the last rejection, approve and reject.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { rejectBodySchema, type ApprovalItem } from '../../../../shared/onboarding.ts';
import { useApi } from '../../app/context.tsx';
import { approve, reject } from '../../api/mutations.ts';
import { approvalsQuery } from '../../api/queries.ts';
import { DataList, show } from '../../components/data-view.tsx';
import { fieldLabel } from '../../components/field-labels.ts';
import { ONBOARDING_LABELS } from '../customer/onboarding/onboarding-labels.ts';
import { TextArea, validateWith, type FieldErrors } from '../../components/form.tsx';
import { formatDateTime } from '../../components/format.ts';
import { ErrorNotice, QueryStates } from '../../components/states.tsx';
import { BRAND_CHOICE_LABELS, brandChoiceOf } from '../../../../shared/a2p-fees.ts';
import { A2pFeesTable } from '../../components/A2pFeesTable.tsx';

export default function ApprovalsPage() {
  const api = useApi();
  const query = useQuery(approvalsQuery(api));
  return (
    <>
      <h1>Approvals</h1>
      <p className="lede">
        Nothing reaches Twilio before it is approved here. Twilio charges for every brand and campaign submission, and a rejected campaign is charged
        again when resubmitted, so check the data against the rules before approving.
      </p>
      <QueryStates query={query} loading="Loading the queue…" isEmpty={(data) => data.items.length === 0} empty="The queue is empty. New submissions appear here on their own.">
        {(data) => (
          <ul className="cards">
            {data.items.map((item) => (
              <li key={`${item.type}-${item.id}`}>
                <ApprovalCard item={item} />
              </li>
            ))}
          </ul>
        )}
      </QueryStates>
    </>
  );
}

function ApprovalCard({ item }: { item: ApprovalItem }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const done = () => void queryClient.invalidateQueries({ queryKey: ['admin'] });
  const approveM = useMutation({ mutationFn: () => approve(api, item.type, item.id), onSuccess: done });
  const rejectM = useMutation({ mutationFn: (r: string) => reject(api, item.type, item.id, r), onSuccess: done });
  const headingId = `approval-${item.id}`;
  const kind = item.type === 'brand' ? 'Brand and campaign' : 'WhatsApp template';

  const submitReject = (e: FormEvent) => {
    e.preventDefault();
    const checked = validateWith(rejectBodySchema, { reason });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    rejectM.mutate(checked.data.reason);
  };

  return (
    <section className="card approval" aria-labelledby={headingId}>
      <div className="flow-head">
        <h2 id={headingId}>
          {kind} · {item.customerName}
        </h2>
        <span className="muted">submitted {formatDateTime(item.submittedAt)}</span>
      </div>
      {item.previousRejection && (
        <div className="flow-error">
          <p>
            <strong>Rejected before:</strong> {item.previousRejection}
          </p>
          {item.changes.length === 0 ? (
            <p>Nothing changed since that rejection.</p>
          ) : (
            <>
              <p>Changed since then:</p>
              <table className="changes">
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Before</th>
                    <th scope="col">Now</th>
                  </tr>
                </thead>
                <tbody>
                  {item.changes.map((c) => (
                    <tr key={c.path}>
                      <th scope="row">{fieldLabel(c.path, ONBOARDING_LABELS)}</th>
                      <td>
                        <del>{show(c.before)}</del>
                      </td>
                      <td>
                        <ins>{show(c.after)}</ins>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
      <details open>
        <summary>Submitted data</summary>
        <DataList data={item.data} highlight={item.changes.map((c) => c.path)} labels={ONBOARDING_LABELS} />
      </details>
      {item.type === 'brand' && <BrandFees data={item.data} headingId={`${headingId}-fees`} />}
      {(approveM.isError || rejectM.isError) && <ErrorNotice error={approveM.error ?? rejectM.error} title="The decision was not saved" />}
      <div className="actions">
        <button type="button" onClick={() => approveM.mutate()} disabled={approveM.isPending || rejectM.isPending}>
          {approveM.isPending ? 'Approving…' : 'Approve'}
        </button>
        {!rejecting && (
          <button type="button" className="button-danger" onClick={() => setRejecting(true)}>
            Reject…
          </button>
        )}
      </div>
      {rejecting && (
        <form onSubmit={submitReject} noValidate className="reject-form">
          <TextArea
            label="Reason for rejecting"
            value={reason}
            onChange={setReason}
            error={errors.reason}
            required
            rows={3}
            help="The customer reads this as it is: say what to change, e.g. “The message flow must say how people opt in on your website.”"
          />
          <div className="actions">
            <button type="submit" className="button-danger" disabled={rejectM.isPending}>
              {rejectM.isPending ? 'Rejecting…' : 'Reject'}
            </button>
            <button type="button" className="button-secondary" onClick={() => setRejecting(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** What approving charges: the fees of the brand the customer chose, from the same table the customer saw. */
function BrandFees({ data, headingId }: { data: Record<string, unknown>; headingId: string }) {
  const choice = brandChoiceOf(data);
  return (
    <section className="fees" aria-labelledby={headingId}>
      <h3 id={headingId}>Approving submits a {BRAND_CHOICE_LABELS[choice]} brand, which costs</h3>
      <A2pFeesTable choice={choice} />
    </section>
  );
}
