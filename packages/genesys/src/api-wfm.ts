import platformClient from 'purecloud-platform-client-v2';
import { type ApiCall, chunk } from './api-call.js';
import { codeForStatus, GenesysError } from './errors.js';
import type { SdkApiClient } from './sdk-client.js';

export type AgentManagementUnitReference = platformClient.Models.AgentManagementUnitReference;
export type UserReference = platformClient.Models.UserReference;
export type ManagementUnit = platformClient.Models.ManagementUnit;
export type BuAsyncAgentSchedulesSearchResponse = platformClient.Models.BuAsyncAgentSchedulesSearchResponse;
export type BusinessUnitActivityCode = platformClient.Models.BusinessUnitActivityCode;
export type UserScheduleAdherence = platformClient.Models.UserScheduleAdherence;
export type TimeOffRequestResponse = platformClient.Models.TimeOffRequestResponse;

/** `GET /api/v2/workforcemanagement/adherence` takes 1..100 user ids (reference §4.6). */
const ADHERENCE_CHUNK = 100;

export interface ScheduleSearch {
  /** ISO instants. */
  readonly startDate: string;
  readonly endDate: string;
  readonly userIds?: readonly string[];
}

/** WFM reads. A 403 (FORBIDDEN) from any of these means the OAuth client has no WFM permissions. */
export function createWfmApi(client: SdkApiClient, call: ApiCall) {
  const wfm = new platformClient.WorkforceManagementApi(client);
  return {
    /** The management unit (and business unit) of an agent. */
    getAgentManagementUnit: (agentId: string): Promise<AgentManagementUnitReference> =>
      call('wfm.agent.managementunit', () => wfm.getWorkforcemanagementAgentManagementunit(agentId)),
    /** Every management unit (id, business unit), page by page (at most 100 pages of 100). */
    async listManagementUnits(): Promise<ManagementUnit[]> {
      const out: ManagementUnit[] = [];
      for (let page = 1; page <= 100; page++) {
        const r = await call('wfm.managementunits', () =>
          wfm.getWorkforcemanagementManagementunits({ pageSize: 100, pageNumber: page }),
        );
        out.push(...(r.entities ?? []));
        if ((r.entities ?? []).length === 0 || page >= (r.pageCount ?? 1)) break;
      }
      return out;
    },
    async listManagementUnitUsers(muId: string): Promise<UserReference[]> {
      const r = await call('wfm.managementunit.users', () =>
        wfm.getWorkforcemanagementManagementunitUsers(muId),
      );
      return r.entities ?? [];
    },
    /**
     * Published schedules of a management unit. The result may be `Processing` (async, delivered to a user topic a
     * client-credentials caller does not have) or carry a `downloadUrl`; callers check `status`/`result`.
     */
    searchManagementUnitSchedules: (
      muId: string,
      q: ScheduleSearch,
    ): Promise<BuAsyncAgentSchedulesSearchResponse> =>
      call('wfm.managementunit.schedules.search', () =>
        wfm.postWorkforcemanagementManagementunitAgentschedulesSearch(muId, {
          startDate: q.startDate,
          endDate: q.endDate,
          ...(q.userIds === undefined ? {} : { userIds: [...q.userIds] }),
        }),
      ),
    /**
     * The IANA time zone of a business unit (`settings.timeZone`, read with `expand=settings`): the zone its
     * management units' dates (full-day time off, schedule days) are in. `undefined` when the platform omits it.
     */
    async getBusinessUnitTimeZone(businessUnitId: string): Promise<string | undefined> {
      const r = await call('wfm.businessunit', () =>
        wfm.getWorkforcemanagementBusinessunit(businessUnitId, { expand: ['settings'] }),
      );
      return r.settings?.timeZone || undefined;
    },
    async listActivityCodes(businessUnitId: string): Promise<BusinessUnitActivityCode[]> {
      const r = await call('wfm.activitycodes', () =>
        wfm.getWorkforcemanagementBusinessunitActivitycodes(businessUnitId),
      );
      return r.entities ?? [];
    },
    /** Real-time adherence of the given agents, chunked by 100 ids. */
    async getAdherence(userIds: readonly string[]): Promise<UserScheduleAdherence[]> {
      const out: UserScheduleAdherence[] = [];
      for (const ids of chunk(userIds, ADHERENCE_CHUNK)) {
        const r = await call('wfm.adherence', () => wfm.getWorkforcemanagementAdherence(ids));
        out.push(...(r ?? []));
      }
      return out;
    },
    /**
     * The document behind a schedule search `downloadUrl` (the search `result`; [UNVERIFIED] that the document is
     * the bare result). Only `https:` URLs (and `http:` when `allowHttp`, for the simulator) are fetched; no token
     * is sent. Not paced: the download is not an API call ([UNVERIFIED]).
     */
    async downloadScheduleSearch(url: string, opts: { allowHttp?: boolean; timeoutMs?: number } = {}) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new GenesysError('GENESYS_UNEXPECTED_RESPONSE', 'schedule search downloadUrl is not a URL', {
          operation: 'wfm.schedules.download',
        });
      }
      if (parsed.protocol !== 'https:' && !(opts.allowHttp === true && parsed.protocol === 'http:')) {
        throw new GenesysError(
          'GENESYS_UNEXPECTED_RESPONSE',
          `schedule search downloadUrl has a refused scheme ${parsed.protocol}`,
          { operation: 'wfm.schedules.download' },
        );
      }
      let res: Response;
      try {
        res = await fetch(parsed, {
          signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
          redirect: 'error',
        });
      } catch (err) {
        throw new GenesysError(
          'GENESYS_NETWORK',
          'schedule search download failed',
          {
            operation: 'wfm.schedules.download',
          },
          err,
        );
      }
      if (!res.ok) {
        throw new GenesysError(codeForStatus(res.status), `schedule search download answered ${res.status}`, {
          status: res.status,
          operation: 'wfm.schedules.download',
        });
      }
      return (await res.json()) as unknown;
    },
    async listTimeOffRequests(muId: string, userId: string): Promise<TimeOffRequestResponse[]> {
      const r = await call('wfm.timeoffrequests', () =>
        wfm.getWorkforcemanagementManagementunitUserTimeoffrequests(muId, userId),
      );
      return r.timeOffRequests ?? [];
    },
  };
}

export type WfmApi = ReturnType<typeof createWfmApi>;
