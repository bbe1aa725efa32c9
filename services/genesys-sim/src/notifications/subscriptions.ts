import { z } from 'zod';
import { apiError } from '../http/errors.js';
import type { Subscription } from './channel-registry.js';
import { parseTopic } from './topics.js';

/** `ChannelTopic` as REST returns it (reference §2.2). */
export interface ChannelTopic {
  id: string;
  state: 'Permitted' | 'Rejected';
  rejectionReason?: string;
  missingPermissions?: string[];
  selfUri: string;
}

export interface ResolveOptions {
  readonly ignoreErrors: boolean;
  /** Whether the caller's OAuth client holds the `wfm` permission group. */
  readonly hasWfm: boolean;
  /** See `SimConfig.invalidTopicWithIgnoreErrors`. */
  readonly invalidTopicWithIgnoreErrors: 'reject-entity' | 'error';
  readonly selfUri: string;
}

const bodySchema = z.array(z.looseObject({ id: z.string().min(1) }));

/**
 * Validates a subscription request body (`ChannelTopic[]`) and splits it into subscriptions to keep and topics to
 * report as `Rejected`. Throws a `SimApiError` for a malformed body (400 `bad.request`), invalid topics (400
 * `notification.invalid.topic`) or, without `ignoreErrors`, missing WFM permissions (403 `missing.permissions`).
 */
export function resolveSubscriptionRequest(
  body: unknown,
  opts: ResolveOptions,
): { accepted: Subscription[]; rejected: ChannelTopic[] } {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw apiError(400, 'bad.request', `The subscription list is malformed: ${problems}`);
  }
  const accepted = new Map<string, Subscription>();
  const rejected: ChannelTopic[] = [];
  const invalid: string[] = [];
  const forbidden: Array<{ id: string; missing: readonly string[] }> = [];
  for (const { id } of parsed.data) {
    const topic = parseTopic(id);
    if (!topic.ok) {
      if (opts.ignoreErrors && opts.invalidTopicWithIgnoreErrors === 'reject-entity') {
        rejected.push({ id, state: 'Rejected', rejectionReason: topic.reason, selfUri: opts.selfUri });
      } else {
        invalid.push(id);
      }
      continue;
    }
    if (topic.wfmPermissions.length > 0 && !opts.hasWfm) {
      if (opts.ignoreErrors) {
        rejected.push({
          id,
          state: 'Rejected',
          rejectionReason: 'Missing permissions',
          missingPermissions: [...topic.wfmPermissions],
          selfUri: opts.selfUri,
        });
      } else {
        forbidden.push({ id, missing: topic.wfmPermissions });
      }
      continue;
    }
    accepted.set(id.toLowerCase(), { id, expanded: topic.expanded });
  }
  if (invalid.length > 0) {
    throw apiError(400, 'notification.invalid.topic', 'Invalid topic(s): {topics}', {
      topics: invalid.join(', '),
    });
  }
  if (forbidden.length > 0) {
    const missing = [...new Set(forbidden.flatMap((f) => f.missing))];
    throw apiError(403, 'missing.permissions', 'Missing permissions {permissions} for topic(s) {topics}', {
      permissions: missing.join(', '),
      topics: forbidden.map((f) => f.id).join(', '),
    });
  }
  return { accepted: [...accepted.values()], rejected };
}
