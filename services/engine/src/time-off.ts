import type { SignalUpdate } from '@lockstep/domain';
import type { TimeOffRequestResponse, WfmApi } from '@lockstep/genesys';

const DAY_MS = 86_400_000;

/**
 * Whether an approved request covers `now`. Full-day requests are matched on their management-unit dates
 * compared with the UTC date of `now` (an approximation of up to the MU's UTC offset at day boundaries);
 * partial-day requests by their start instants and daily duration. Pure.
 */
export function coversNow(request: TimeOffRequestResponse, now: number): boolean {
  if (request.status !== 'APPROVED') return false;
  const today = new Date(now).toISOString().slice(0, 10);
  if ((request.fullDayManagementUnitDates ?? []).includes(today)) return true;
  const minutes = request.dailyDurationMinutes ?? 0;
  for (const start of request.partialDayStartDateTimes ?? []) {
    const from = Date.parse(String(start));
    if (!Number.isNaN(from) && from <= now && now < from + Math.min(minutes * 60_000, DAY_MS)) return true;
  }
  return false;
}

/**
 * Reads an agent's time-off requests (management unit first) and states the `timeOff` signal: whether an approved
 * request covers now, and how many are pending. Throws the Genesys error of a failed read.
 */
export async function readTimeOff(
  wfm: Pick<WfmApi, 'getAgentManagementUnit' | 'listTimeOffRequests'>,
  agentId: string,
  now: number,
): Promise<SignalUpdate | undefined> {
  const mu = (await wfm.getAgentManagementUnit(agentId)).managementUnit?.id;
  if (mu === undefined) return undefined;
  const requests = await wfm.listTimeOffRequests(mu, agentId);
  return {
    signal: 'timeOff',
    value: {
      active: requests.some((r) => coversNow(r, now)),
      pending: requests.filter((r) => r.status === 'PENDING').length,
    },
    at: now,
    source: 'resync',
  };
}
