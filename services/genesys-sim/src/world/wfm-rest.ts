import type { SimWorld } from './contract.js';
import type { WorldCore } from './core.js';
import { badRequest, invalidDate, notFound } from './errors.js';
import type { AgentState } from './state.js';
import { iso } from './time.js';
import { timeOffBody } from './time-off.js';
import { type BusinessUnit, type ManagementUnit, shiftEnd, shiftStart } from './wfm-model.js';

export type WfmRest = Pick<
  SimWorld,
  | 'getAgentManagementUnit'
  | 'listManagementUnits'
  | 'getManagementUnitUsers'
  | 'searchAgentSchedules'
  | 'getActivityCodes'
  | 'getBusinessUnit'
  | 'getAdherence'
  | 'getManagementUnitAdherence'
  | 'getTimeOffRequests'
>;

const muUri = (id: string): string => `/api/v2/workforcemanagement/managementunits/${id}`;
const buUri = (id: string): string => `/api/v2/workforcemanagement/businessunits/${id}`;

/** WFM REST views (reference §4.6). */
export function createWfmRest(
  core: WorldCore,
  wfm: { mus: ReadonlyMap<string, ManagementUnit>; bus: ReadonlyMap<string, BusinessUnit> },
  helpers: { zoneOf(a: AgentState): string },
): WfmRest {
  const muOr404 = (muId: string) => {
    const mu = wfm.mus.get(muId);
    if (!mu) throw notFound('managementUnit', muId);
    return mu;
  };
  const adherenceView = (a: AgentState): Record<string, unknown> => {
    const mu = muOr404(a.muId!);
    const adh = a.adherence;
    const codes = wfm.bus.get(mu.businessUnitId)?.codes;
    const code = adh?.scheduledCodeId ? codes?.get(adh.scheduledCodeId) : undefined;
    const view: Record<string, unknown> = {
      id: a.id,
      name: a.name,
      user: { id: a.id, selfUri: `/api/v2/users/${a.id}` },
      businessUnit: { id: mu.businessUnitId, selfUri: buUri(mu.businessUnitId) },
      managementUnit: { id: mu.id, selfUri: muUri(mu.id) },
      scheduledActivityCategory: adh?.scheduledCategory ?? 'Unscheduled',
      systemPresence: a.presence.wfmSystemPresence,
      routingStatus: a.routing,
      actualActivityCategory: adh?.actualCategory ?? 'Unscheduled',
      isOutOfOffice: a.outOfOffice.active,
      adherenceState: adh?.state ?? 'Unknown',
      impact:
        adh?.state === 'OutOfAdherence' ? 'Negative' : adh?.state === 'InAdherence' ? 'Neutral' : 'Unknown',
      timeOfAdherenceChange: iso(adh?.changedAt ?? core.nowWire()),
      presenceUpdateTime: iso(a.presenceModified),
      activeQueues: a.activeQueueIds.map((id) => ({ id })),
      activeQueuesModifiedTime: iso(a.activeQueuesChanged),
      removedFromManagementUnit: false,
      selfUri: `/api/v2/workforcemanagement/adherence/${a.id}`,
    };
    if (code) view.scheduledActivityCode = { id: code.id, name: code.name, secondaryPresences: [] };
    if (!a.presence.primary) view.organizationSecondaryPresenceId = a.presence.id;
    return view;
  };
  const parseDate = (field: string, value: unknown): number => {
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw invalidDate(field, String(value));
    return ms;
  };

  return {
    getAgentManagementUnit(userId) {
      const a = core.agents.get(userId);
      if (!a) throw notFound('user', userId);
      if (!a.muId) throw notFound('managementUnit for user', userId);
      const mu = muOr404(a.muId);
      return {
        user: { id: a.id, selfUri: `/api/v2/users/${a.id}` },
        managementUnit: { id: mu.id, selfUri: muUri(mu.id) },
        businessUnit: { id: mu.businessUnitId, selfUri: buUri(mu.businessUnitId) },
      };
    },
    listManagementUnits() {
      const entities = [...wfm.mus.values()].map((mu) => ({
        id: mu.id,
        name: mu.name,
        businessUnit: { id: mu.businessUnitId, selfUri: buUri(mu.businessUnitId) },
        division: { id: mu.divisionId },
        selfUri: muUri(mu.id),
      }));
      return { entities, pageSize: entities.length, pageNumber: 1, total: entities.length, pageCount: 1 };
    },
    getManagementUnitUsers(muId) {
      muOr404(muId);
      const entities = core.agentList
        .filter((a) => a.muId === muId)
        .map((a) => ({ id: a.id, name: a.name, selfUri: `/api/v2/users/${a.id}` }));
      return { entities };
    },
    searchAgentSchedules(muId, body) {
      const mu = muOr404(muId);
      const from = parseDate('startDate', body.startDate);
      const to = parseDate('endDate', body.endDate);
      if (to <= from) throw badRequest('endDate must be after startDate');
      if (to - from > 100 * 86_400_000) throw badRequest('The requested range must not exceed 100 days');
      const wanted = body.userIds && body.userIds.length > 0 ? new Set(body.userIds) : undefined;
      const codes = wfm.bus.get(mu.businessUnitId)?.codes;
      const agentSchedules = core.agentList
        .filter((a) => a.muId === muId && (!wanted || wanted.has(a.id)))
        .map((a) => ({
          user: { id: a.id, selfUri: `/api/v2/users/${a.id}` },
          shifts: a.shifts
            .filter((s) => shiftStart(s) < to && shiftEnd(s) > from)
            .map((s) => ({
              id: s.id,
              startDate: iso(shiftStart(s)),
              lengthMinutes: Math.round((shiftEnd(s) - shiftStart(s)) / 60_000),
              activities: s.activities.map((act) => {
                const code = codes?.get(act.activityCodeId);
                return {
                  startDate: iso(act.start),
                  lengthMinutes: act.lengthMinutes,
                  description: code?.name ?? '',
                  activityCodeId: act.activityCodeId,
                  paid: code?.paid ?? true,
                  payableMinutes: code?.paid === false ? 0 : act.lengthMinutes,
                };
              }),
              manuallyEdited: s.manuallyEdited,
              schedule: { id: `${mu.id}-${s.weekDate}`, weekDate: s.weekDate },
            })),
          fullDayTimeOffMarkers: a.timeOff
            .filter((t) => t.status === 'APPROVED')
            .flatMap((t) =>
              t.fullDayDates
                .filter((d) => {
                  const start = core.time.localDateStartToWire(d, helpers.zoneOf(a));
                  return start < to && start + 86_400_000 > from;
                })
                .map((d) => ({
                  businessUnitDate: d,
                  startOffsetMinutes: 0,
                  endOffsetMinutes: 1440,
                  lengthMinutes: t.minutes,
                  description: 'Time Off',
                  activityCodeId: t.activityCodeId,
                  paid: true,
                  payableMinutes: t.minutes,
                  timeOffRequestId: t.id,
                })),
            ),
        }));
      const bu = wfm.bus.get(mu.businessUnitId);
      return {
        status: 'Complete',
        operationId: core.rng.uuid(),
        result: { agentSchedules, businessUnitTimeZone: bu?.timeZone ?? mu.timeZone, publishedSchedules: [] },
      };
    },
    getBusinessUnit(buId, expandSettings) {
      const bu = wfm.bus.get(buId);
      if (!bu) throw notFound('businessUnit', buId);
      return {
        id: bu.id,
        name: bu.name,
        ...(expandSettings ? { settings: { startDayOfWeek: 'Monday', timeZone: bu.timeZone } } : {}),
        selfUri: buUri(bu.id),
      };
    },
    getActivityCodes(buId) {
      const bu = wfm.bus.get(buId);
      if (!bu) throw notFound('businessUnit', buId);
      const entities = [...bu.codes.values()].map((c) => ({
        id: c.id,
        name: c.name,
        active: true,
        defaultCode: /^\d+$/.test(c.id) && Number(c.id) < 8,
        category: c.category,
        lengthInMinutes: c.lengthInMinutes,
        countsAsPaidTime: c.paid,
        countsAsWorkTime: c.category === 'OnQueueWork' || c.category === 'OffQueueWork',
        agentTimeOffSelectable: c.category === 'TimeOff',
        secondaryPresences: [],
        selfUri: `${buUri(buId)}/activitycodes/${c.id}`,
      }));
      return { entities };
    },
    getAdherence(userIds) {
      if (userIds.length > 100) throw badRequest('Max of 100 userIds per request');
      return userIds
        .map((id) => core.agents.get(id))
        .filter((a): a is AgentState => a?.muId != null)
        .map(adherenceView);
    },
    getManagementUnitAdherence(muId) {
      muOr404(muId);
      return { entities: core.agentList.filter((a) => a.muId === muId).map(adherenceView) };
    },
    getTimeOffRequests(muId, userId) {
      muOr404(muId);
      const a = core.agents.get(userId);
      if (!a || a.muId !== muId) throw notFound('user in managementUnit', userId);
      return {
        timeOffRequests: a.timeOff.map((t) => ({
          ...timeOffBody(t),
          user: { id: a.id, selfUri: `/api/v2/users/${a.id}` },
          selfUri: `${muUri(muId)}/users/${a.id}/timeoffrequests/${t.id}`,
        })),
      };
    },
  };
}
