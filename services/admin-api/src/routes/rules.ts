import {
  ACTIONS,
  applyRuleOverrides,
  DEFAULT_POLICY,
  RULE_IDS,
  RULES,
  type RuleId,
  SEVERITIES,
} from '@lockstep/domain';
import { createPolicyOverrides } from '@lockstep/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { problemResponses } from '../schemas.js';

const ruleSchema = z
  .object({
    id: z.enum(RULE_IDS),
    description: z.string(),
    needsWfm: z.boolean(),
    enabled: z.boolean(),
    graceMs: z.number().int(),
    severity: z.enum(SEVERITIES),
    action: z.enum(ACTIONS),
    overridden: z.boolean(),
    settings: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Rule' });

const patchBody = z
  .strictObject({
    enabled: z.boolean().optional(),
    graceMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3_600_000)
      .optional(),
    severity: z.enum(SEVERITIES).optional(),
    action: z.enum(ACTIONS).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: 'give at least one of enabled, graceMs, severity, action',
  });

/**
 * `GET /rules`: the catalogue with the policy in force (defaults plus run-time overrides); `PUT /rules/{id}`:
 * changes grace, severity, action or enabled. Engines watch the overrides and apply them without a restart.
 */
export function ruleRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const overrides = createPolicyOverrides({ redis: ctx.redis, keys: ctx.keys });
  const security = [{ bearer: [] }];

  async function catalogue() {
    const current = await overrides.read();
    const { policy } = applyRuleOverrides(DEFAULT_POLICY, current);
    return RULES.map((rule) => {
      const settings = policy.rules[rule.id] as Record<string, unknown> & {
        enabled: boolean;
        graceMs: number;
        severity: (typeof SEVERITIES)[number];
        action: (typeof ACTIONS)[number];
      };
      return {
        id: rule.id,
        description: rule.description,
        needsWfm: rule.needsWfm,
        enabled: settings.enabled,
        graceMs: settings.graceMs,
        severity: settings.severity,
        action: settings.action,
        overridden: current[rule.id] !== undefined,
        settings: { ...settings },
      };
    });
  }

  return async (app) => {
    app.get(
      '/rules',
      {
        config: { scope: 'read' },
        schema: {
          tags: ['rules'],
          summary: 'The rule catalogue with the policy in force',
          security,
          response: { 200: z.object({ rules: z.array(ruleSchema) }), ...problemResponses },
        },
      },
      async () => ({ rules: await catalogue() }),
    );
    app.put(
      '/rules/:id',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['rules'],
          summary: "Changes a rule's grace, severity, action or enabled; engines apply it within seconds",
          security,
          params: z.object({ id: z.enum(RULE_IDS) }),
          body: patchBody,
          response: { 200: ruleSchema, ...problemResponses },
        },
      },
      async (request) => {
        const who = principalOf(request);
        const ruleId: RuleId = request.params.id;
        const current = await overrides.read();
        const next = { ...(current[ruleId] ?? {}), ...request.body };
        const { refused } = applyRuleOverrides(DEFAULT_POLICY, { [ruleId]: next });
        if (refused.length > 0)
          throw new ApiError('VALIDATION_FAILED', `rule ${ruleId}: the settings are not valid`);
        await overrides.write(ruleId, next);
        await ctx.audit.record({
          keyId: who.keyId,
          action: 'rule.update',
          target: ruleId,
          detail: request.body,
        });
        const rule = (await catalogue()).find((r) => r.id === ruleId);
        if (rule === undefined) throw new ApiError('NOT_FOUND', `no rule ${ruleId}`);
        return rule;
      },
    );
  };
}
