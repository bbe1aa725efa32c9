import type { SignalName } from '@lockstep/domain';

/** How the mapping edge treats the platform's timestamps. */
export interface EventTimeOptions {
  /**
   * How far a platform timestamp may lie ahead of the receive (or read) time and still be trusted (clock skew,
   * transit). A timestamp further ahead is replaced by the receive time. Default
   * {@link DEFAULT_FUTURE_TOLERANCE_MS}.
   */
  readonly futureToleranceMs?: number;
  /** Called once for every clamped timestamp, with the signal it stamped (metrics). */
  readonly onClamped?: (signal: SignalName) => void;
}

/** Default tolerance for platform timestamps ahead of the receive time: ordinary clock skew and transit. */
export const DEFAULT_FUTURE_TOLERANCE_MS = 5_000;

/** The time fields of a signal update. */
export interface UpdateTime {
  readonly at: number;
  /** Present (`true`) when `at` is only the receive or read time, not a trusted platform timestamp. */
  readonly observed?: true;
}

/** Stamps signal updates at the mapping edge. */
export type EventTimer = (
  signal: SignalName,
  platformAt: number | undefined,
  receivedAt: number,
) => UpdateTime;

/**
 * Creates the stamping function the mappers share. A platform timestamp is kept (it says when the value began)
 * unless it lies more than the tolerance ahead of `receivedAt`: then it is clamped to `receivedAt` (and
 * counted), so one future timestamp cannot move an agent's clock ahead, push its deadlines out or make later,
 * correct events look stale. Without a trusted platform timestamp the update is stamped `receivedAt` and marked
 * observed (a re-observation of an unchanged value then keeps its since). Pure apart from `onClamped`.
 */
export function createEventTimer(options: EventTimeOptions = {}): EventTimer {
  const tolerance = options.futureToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS;
  return (signal, platformAt, receivedAt) => {
    if (platformAt === undefined || !Number.isFinite(platformAt)) return { at: receivedAt, observed: true };
    if (platformAt <= receivedAt + tolerance) return { at: platformAt };
    options.onClamped?.(signal);
    return { at: receivedAt, observed: true };
  };
}
