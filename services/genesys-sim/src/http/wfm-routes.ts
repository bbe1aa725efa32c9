import { z } from 'zod';
import type { ApiContext } from './context.js';
import { apiError } from './errors.js';
import { listParam, param, query, requireWfm } from './params.js';

/** Ids per real-time adherence request (reference §4.6: "Min 1, Max of 100"). */
const ADHERENCE_MAX_IDS = 100;

const searchBody = z.object({
  startDate: z.string().min(1),
  endDate: z.string().min(1),
  userIds: z.array(z.string()).optional(),
});

/** Workforce-management reads (reference §4.6). Every route needs the client's `wfm` permission group (403). */
export function registerWfmRoutes(ctx: ApiContext): void {
  const { routes, world } = ctx;
  const base = '/api/v2/workforcemanagement';

  const knownMu = (muId: string) => {
    if (!world.hasManagementUnit(muId)) {
      throw apiError(404, 'not.found', 'Management unit {id} was not found.', { id: muId });
    }
  };
  const knownUser = (userId: string) => {
    if (!world.hasUser(userId)) throw apiError(404, 'not.found', 'User {id} was not found.', { id: userId });
  };

  routes.add('GET', `${base}/agents/:agentId/managementunit`, (req) => {
    requireWfm(req);
    const agentId = param(req, 'agentId');
    knownUser(agentId);
    return world.getAgentManagementUnit(agentId);
  });

  routes.add('GET', `${base}/managementunits`, (req) => {
    requireWfm(req);
    return world.listManagementUnits();
  });

  routes.add('GET', `${base}/managementunits/:muId/users`, (req) => {
    requireWfm(req);
    const muId = param(req, 'muId');
    knownMu(muId);
    return world.getManagementUnitUsers(muId);
  });

  routes.add('POST', `${base}/managementunits/:muId/agentschedules/search`, (req) => {
    requireWfm(req);
    const muId = param(req, 'muId');
    knownMu(muId);
    const parsed = searchBody.safeParse(req.body);
    if (!parsed.success) {
      throw apiError(400, 'bad.request', 'Invalid schedule search: {problems}', {
        problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      });
    }
    const answer = world.searchAgentSchedules(muId, parsed.data) as {
      operationId?: unknown;
      result?: unknown;
    };
    const forced = listParam(query(req), 'forceDownloadService').at(-1) === 'true';
    if (!forced && ctx.settings.scheduleSearchAnswer === 'sync') return answer;
    // The download form: no inline result, a URL to fetch it from without a token (reference §4.6).
    const id = ctx.downloads.put(answer.result);
    return {
      status: 'Complete',
      operationId: answer.operationId,
      downloadUrl: `${req.protocol}://${req.headers.host ?? req.host}/downloads/${id}`,
    };
  });

  routes.add('GET', '/downloads/:downloadId', (req) => {
    const body = ctx.downloads.get(param(req, 'downloadId'));
    if (body === undefined) {
      throw apiError(404, 'not.found', 'The download was not found or has expired.');
    }
    return body;
  });

  routes.add('GET', `${base}/businessunits/:buId`, (req) => {
    requireWfm(req);
    return world.getBusinessUnit(param(req, 'buId'), listParam(query(req), 'expand').includes('settings'));
  });

  routes.add('GET', `${base}/businessunits/:buId/activitycodes`, (req) => {
    requireWfm(req);
    return world.getActivityCodes(param(req, 'buId'));
  });

  routes.add('GET', `${base}/adherence`, (req) => {
    requireWfm(req);
    const ids = listParam(query(req), 'userId');
    if (ids.length < 1 || ids.length > ADHERENCE_MAX_IDS) {
      throw apiError(400, 'invalid.value', 'Between 1 and {max} userIds are required; got {count}.', {
        max: String(ADHERENCE_MAX_IDS),
        count: String(ids.length),
      });
    }
    return world.getAdherence(ids);
  });

  routes.add('GET', `${base}/managementunits/:muId/adherence`, (req) => {
    requireWfm(req);
    const muId = param(req, 'muId');
    knownMu(muId);
    return world.getManagementUnitAdherence(muId);
  });

  routes.add('GET', `${base}/managementunits/:muId/users/:userId/timeoffrequests`, (req) => {
    requireWfm(req);
    const muId = param(req, 'muId');
    const userId = param(req, 'userId');
    knownMu(muId);
    knownUser(userId);
    return world.getTimeOffRequests(muId, userId);
  });
}
