import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@lockstep/store';
import { z } from 'zod';
import { ALERT_SEVERITIES, ALERT_TYPES, type AlertSeverity, type AlertType } from './catalogue.js';
import { WebhookCorruptDataError, WebhookInputError, WebhookNotFoundError } from './errors.js';
import type { WebhookKeys } from './keys.js';
import { generateSecret, isValidSecret } from './secrets.js';
import { type SsrfPolicy, validateWebhookUrl } from './ssrf.js';

/** Default time a rotated-out secret keeps signing (both signatures are sent meanwhile). */
export const DEFAULT_ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** Which alerts a subscription receives. Empty lists match everything. */
export interface SubscriptionFilters {
  readonly ruleIds: readonly string[];
  readonly queueIds: readonly string[];
  readonly divisionIds: readonly string[];
  readonly managementUnitIds: readonly string[];
}

/** A subscription as shown to operators: never the secret. */
export interface Subscription {
  readonly id: string;
  readonly url: string;
  /** Empty: every type. */
  readonly eventTypes: readonly AlertType[];
  readonly minSeverity: AlertSeverity | null;
  readonly filters: SubscriptionFilters;
  /**
   * Storm control: no `finding.*` alert for an agent while an open incident of the finding's rule covers it (the
   * incident's own alerts stand for the group). Default false.
   */
  readonly muteIncidentAgents: boolean;
  readonly enabled: boolean;
  /** Why lockstep disabled it (410, failing too long), or `null`. */
  readonly disabledReason: string | null;
  readonly description: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When the previous secret stops signing, while a rotation overlap runs; otherwise `null`. */
  readonly previousSecretExpiresAt: number | null;
}

interface StoredSecret {
  readonly secret: string;
  /** `null` for the current secret. */
  readonly expiresAt: number | null;
}

/** The stored document: the public fields plus the secrets (current first). */
export interface SubscriptionRecord extends Subscription {
  readonly secrets: readonly StoredSecret[];
}

const idList = z.array(z.string().min(1).max(200)).max(1_000);
const filtersSchema = z
  .object({
    ruleIds: idList.optional(),
    queueIds: idList.optional(),
    divisionIds: idList.optional(),
    managementUnitIds: idList.optional(),
  })
  .strict();
const createSchema = z
  .object({
    url: z.string().max(2_000),
    eventTypes: z.array(z.enum(ALERT_TYPES)).max(ALERT_TYPES.length).optional(),
    minSeverity: z.enum(ALERT_SEVERITIES).nullable().optional(),
    filters: filtersSchema.optional(),
    description: z.string().max(500).optional(),
    enabled: z.boolean().optional(),
    muteIncidentAgents: z.boolean().optional(),
  })
  .strict();
const updateSchema = createSchema.partial();
// A caller-provided secret (a receiver started with a known secret); never echoed in a problem.
const createWithSecretSchema = createSchema
  .extend({
    secret: z
      .string()
      .max(200)
      .refine(isValidSecret, 'must be whsec_ followed by the base64 of 24-64 bytes')
      .optional(),
  })
  .strict();

export type CreateSubscriptionInput = z.input<typeof createWithSecretSchema>;
export type UpdateSubscriptionInput = z.input<typeof updateSchema>;

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new WebhookInputError(
    parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`),
  );
}

function checkUrl(url: string, policy: SsrfPolicy): string {
  try {
    return validateWebhookUrl(url, policy);
  } catch (err) {
    throw new WebhookInputError([`url: ${(err as Error).message}`]);
  }
}

function normaliseFilters(f: z.output<typeof filtersSchema> | undefined): SubscriptionFilters {
  return {
    ruleIds: [...new Set(f?.ruleIds ?? [])],
    queueIds: [...new Set(f?.queueIds ?? [])],
    divisionIds: [...new Set(f?.divisionIds ?? [])],
    managementUnitIds: [...new Set(f?.managementUnitIds ?? [])],
  };
}

/** The public view of a record (drops the secrets). */
export function publicView(record: SubscriptionRecord): Subscription {
  const { secrets, ...rest } = record;
  const previous = secrets[1];
  return { ...rest, previousSecretExpiresAt: previous?.expiresAt ?? null };
}

/** Secrets that sign a delivery at `now`: the current one, then a previous one still inside its overlap. */
export function signingSecrets(record: SubscriptionRecord, now: number): string[] {
  return record.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}

export interface SubscriptionStoreOptions {
  readonly redis: RedisClient;
  readonly keys: WebhookKeys;
  /** Checked on every URL written (literal private IPs refused at creation). */
  readonly ssrf: SsrfPolicy;
  readonly now?: () => number;
}

/**
 * Subscriptions in Redis: the functions the admin API calls. Inputs are validated as a whole
 * (`WebhookInputError` lists every problem; nothing is written). Secrets are returned only by `create` and
 * `rotateSecret`.
 */
export interface SubscriptionStore {
  create(input: CreateSubscriptionInput): Promise<{ subscription: Subscription; secret: string }>;
  get(id: string): Promise<Subscription>;
  list(): Promise<Subscription[]>;
  update(id: string, patch: UpdateSubscriptionInput): Promise<Subscription>;
  /** Returns whether it existed. Its queued deliveries, dead letters and delivery log are deleted too. */
  remove(id: string): Promise<boolean>;
  /** New current secret; the old one keeps signing for `overlapMs` (default 24 h). */
  rotateSecret(id: string, overlapMs?: number): Promise<{ secret: string; previousExpiresAt: number }>;
  /** Disables with a reason (410 Gone, failing too long). Returns false when already disabled or gone. */
  disable(id: string, reason: string): Promise<boolean>;
  /** The full record, secrets included, for the notifier. `null` when it does not exist. */
  getRecord(id: string): Promise<SubscriptionRecord | null>;
  /** Every record, secrets included, for the notifier. */
  listRecords(): Promise<SubscriptionRecord[]>;
}

export function createSubscriptionStore(options: SubscriptionStoreOptions): SubscriptionStore {
  const { redis, keys, ssrf } = options;
  const now = options.now ?? Date.now;

  async function getRecord(id: string): Promise<SubscriptionRecord | null> {
    const key = keys.subscription(id);
    const text = await redis.hget(key, 'doc');
    if (text === null) return null;
    try {
      // Records stored before a field existed get its default.
      const record = JSON.parse(text) as Omit<SubscriptionRecord, 'muteIncidentAgents'> &
        Partial<Pick<SubscriptionRecord, 'muteIncidentAgents'>>;
      return { ...record, muteIncidentAgents: record.muteIncidentAgents ?? false };
    } catch (cause) {
      throw new WebhookCorruptDataError(key, { cause });
    }
  }

  async function mustGet(id: string): Promise<SubscriptionRecord> {
    const record = await getRecord(id);
    if (record === null) throw new WebhookNotFoundError('subscription', id);
    return record;
  }

  async function save(record: SubscriptionRecord): Promise<void> {
    await redis
      .multi()
      .hset(keys.subscription(record.id), 'doc', JSON.stringify(record))
      .sadd(keys.subscriptions(), record.id)
      .exec();
  }

  async function listRecords(): Promise<SubscriptionRecord[]> {
    const ids = (await redis.smembers(keys.subscriptions())).sort();
    const records = await Promise.all(ids.map((id) => getRecord(id)));
    return records.filter((r): r is SubscriptionRecord => r !== null);
  }

  return {
    async create(input) {
      const data = parseOrThrow(createWithSecretSchema, input);
      const url = checkUrl(data.url, ssrf);
      const at = now();
      const secret = data.secret ?? generateSecret();
      const record: SubscriptionRecord = {
        id: `wh_${randomBytes(12).toString('base64url')}`,
        url,
        eventTypes: [...new Set(data.eventTypes ?? [])],
        minSeverity: data.minSeverity ?? null,
        filters: normaliseFilters(data.filters),
        muteIncidentAgents: data.muteIncidentAgents ?? false,
        enabled: data.enabled ?? true,
        disabledReason: null,
        description: data.description ?? '',
        createdAt: at,
        updatedAt: at,
        previousSecretExpiresAt: null,
        secrets: [{ secret, expiresAt: null }],
      };
      await save(record);
      return { subscription: publicView(record), secret };
    },
    async get(id) {
      return publicView(await mustGet(id));
    },
    async list() {
      return (await listRecords()).map(publicView);
    },
    async update(id, patch) {
      const data = parseOrThrow(updateSchema, patch);
      const url = data.url === undefined ? undefined : checkUrl(data.url, ssrf);
      const record = await mustGet(id);
      const enabled = data.enabled ?? record.enabled;
      const next: SubscriptionRecord = {
        ...record,
        url: url ?? record.url,
        eventTypes: data.eventTypes === undefined ? record.eventTypes : [...new Set(data.eventTypes)],
        minSeverity: data.minSeverity === undefined ? record.minSeverity : data.minSeverity,
        filters: data.filters === undefined ? record.filters : normaliseFilters(data.filters),
        description: data.description ?? record.description,
        muteIncidentAgents: data.muteIncidentAgents ?? record.muteIncidentAgents,
        enabled,
        disabledReason: enabled ? null : record.disabledReason,
        updatedAt: now(),
      };
      await save(next);
      if (enabled && !record.enabled) await redis.hdel(keys.health(id), 'failingSince');
      return publicView(next);
    },
    async remove(id) {
      const removed = await redis.multi().del(keys.subscription(id)).srem(keys.subscriptions(), id).exec();
      // Its queues go too: lanes, undelivered and dead records, log, health, storm counters. Delivered records
      // expire by themselves. All of these share the subscription's hash tag, so each DEL stays in one slot.
      const [lanes, pending, dead] = await Promise.all([
        redis.zrange(keys.due(id), 0, -1),
        redis.zrange(keys.pending(id), 0, -1),
        redis.zrange(keys.dead(id), 0, -1),
      ]);
      const doomed = [
        ...lanes.flatMap((lane) => [keys.lane(id, lane), keys.laneLock(id, lane)]),
        ...[...pending, ...dead].map((alertId) => keys.delivery(id, alertId)),
        ...[keys.due(id), keys.pending(id), keys.dead(id), keys.log(id), keys.health(id), keys.storm(id)],
      ];
      for (let i = 0; i < doomed.length; i += 500) await redis.del(...doomed.slice(i, i + 500));
      return Number(removed?.[0]?.[1] ?? 0) > 0;
    },
    async rotateSecret(id, overlapMs = DEFAULT_ROTATION_OVERLAP_MS) {
      if (!Number.isInteger(overlapMs) || overlapMs < 0 || overlapMs > 7 * 24 * 3_600_000) {
        throw new WebhookInputError(['overlapMs: must be an integer number of ms between 0 and 7 days']);
      }
      const record = await mustGet(id);
      const at = now();
      const current = record.secrets[0];
      const secret = generateSecret();
      const previousExpiresAt = at + overlapMs;
      const secrets: StoredSecret[] = [{ secret, expiresAt: null }];
      if (current !== undefined && overlapMs > 0)
        secrets.push({ secret: current.secret, expiresAt: previousExpiresAt });
      await save({ ...record, secrets, updatedAt: at });
      return { secret, previousExpiresAt };
    },
    async disable(id, reason) {
      const record = await getRecord(id);
      if (record === null || !record.enabled) return false;
      await save({ ...record, enabled: false, disabledReason: reason.slice(0, 500), updatedAt: now() });
      return true;
    },
    getRecord: (id) => getRecord(id),
    listRecords,
  };
}
