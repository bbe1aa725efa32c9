import type { Policy } from '../policy.js';
import type { PresenceValue, Stamped } from '../signals.js';
import type { DesiredState } from './types.js';

/**
 * Whether a change away from a confirmed declared presence was made on purpose by the agent or a supervisor
 * (`reverted-by`, not re-applied) rather than by a system fighting lockstep (re-applied). Pure. The rules:
 * 1. A change lockstep made itself (signal source `correction`) is never deliberate.
 * 2. A change whose presence `source` is not in `declarations.deliberateSources` (default `PURECLOUD`, the
 *    source of Genesys Cloud's own clients) comes from an integration: systems fighting.
 * 3. A change back to the presence held before the declared one, within `declarations.fightWindowMs`
 *    (default 10 s) of the confirmation, is a client or system restoring stale state: systems fighting.
 * 4. Any other change (a person's source, or no source known, to another presence or after the window) is
 *    deliberate.
 */
export function isDeliberateChange(
  d: DesiredState,
  presence: Stamped<PresenceValue>,
  policy: Policy,
): boolean {
  if (presence.source === 'correction') return false;
  const { deliberateSources, fightWindowMs } = policy.declarations;
  const source = presence.value.source;
  if (source !== undefined && !deliberateSources.includes(source)) return false;
  const confirmedAt = d.confirmedAt ?? presence.at;
  const restoresStale =
    d.heldBefore !== null &&
    presence.value.system === d.heldBefore &&
    presence.at - confirmedAt <= fightWindowMs;
  return !restoresStale;
}
