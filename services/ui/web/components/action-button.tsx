import { useState, type ReactNode } from 'react';
import { useCanI, type Permission } from '../auth/session.ts';

/**
 * A button for an action the server authorizes: disabled, with the reason shown, when the caller's roles do not
 * allow it (the server enforces regardless). With `confirm`, asks before acting.
 */
export function ActionButton({ permission, onClick, children, confirm, busy, className, disabledReason }: {
  permission: Permission;
  onClick: () => void;
  children: ReactNode;
  confirm?: string;
  busy?: boolean;
  className?: string;
  disabledReason?: string;
}) {
  const { allowed, reason } = useCanI(permission);
  const [asking, setAsking] = useState(false);
  const why = reason ?? disabledReason;
  if (asking && confirm) {
    return (
      <span className="confirm" role="group" aria-label="confirmation">
        <span>{confirm}</span>
        <button type="button" className="danger" onClick={() => { setAsking(false); onClick(); }}>Confirm</button>
        <button type="button" onClick={() => setAsking(false)}>Cancel</button>
      </span>
    );
  }
  return (
    <span className="action">
      <button type="button" className={className} disabled={!allowed || busy || Boolean(disabledReason)} title={why}
        onClick={() => (confirm ? setAsking(true) : onClick())}>{busy ? '…' : children}</button>
      {why && !reason?.startsWith('checking') ? <small className="reason">{why}</small> : null}
    </span>
  );
}
