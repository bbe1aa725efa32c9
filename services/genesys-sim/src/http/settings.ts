import type { SimConfig } from '../config.js';
import type { SimWorld } from '../world/contract.js';

export type ScheduleSearchAnswer = 'sync' | 'download';

/** Transport settings that tests and demos may change while the simulator runs (`/__sim/settings`). */
export interface SimSettingsView {
  /** Requests per token per minute (the platform's `token.rate.per.minute`, reference §5.2). */
  readonly tokenRateLimitPerMinute: number;
  /** Per OAuth client: requests per minute over all its tokens, or `null` for no per-client limit. */
  readonly clientRateLimits: Readonly<Record<string, number | null>>;
  readonly scheduleSearchAnswer: ScheduleSearchAnswer;
  /** Whether the request log keeps reads (`GET`) too, to count what a client reads. */
  readonly logReads: boolean;
}

/** A change to the settings; a client limit of `null` removes it. Unknown client ids are refused by the caller. */
export interface SimSettingsPatch {
  readonly tokenRateLimitPerMinute?: number;
  readonly clientRateLimits?: Readonly<Record<string, number | null>>;
  readonly scheduleSearchAnswer?: ScheduleSearchAnswer;
  readonly logReads?: boolean;
}

export interface SimSettings {
  view(): SimSettingsView;
  /** The per-client limit of `clientId`, or `null`. */
  clientLimit(clientId: string): number | null;
  readonly tokenRateLimitPerMinute: number;
  readonly scheduleSearchAnswer: ScheduleSearchAnswer;
  readonly logReads: boolean;
  update(patch: SimSettingsPatch): SimSettingsView;
}

/**
 * Settings start from the flags, then the scenario: a flag given on the command line wins over the scenario
 * (`--client-rate-limit` over `oauthClients[].rateLimitPerMinute`, `--schedule-search-answer` over
 * `platform.scheduleSearchAnswer`), as `--seed` and `--speed` do.
 */
export function createSettings(config: SimConfig, world: SimWorld): SimSettings {
  let tokenLimit = config.rateLimitPerMinute;
  const clientLimits = new Map<string, number | null>(
    world.oauthClients.map((c) => [
      c.clientId,
      config.clientRateLimitPerMinute ?? c.rateLimitPerMinute ?? null,
    ]),
  );
  let answer: ScheduleSearchAnswer = config.scheduleSearchAnswer ?? world.scheduleSearchAnswer;
  let logReads = false;
  const view = (): SimSettingsView => ({
    tokenRateLimitPerMinute: tokenLimit,
    clientRateLimits: Object.fromEntries(clientLimits),
    scheduleSearchAnswer: answer,
    logReads,
  });
  return {
    view,
    clientLimit: (clientId) => clientLimits.get(clientId) ?? null,
    get tokenRateLimitPerMinute() {
      return tokenLimit;
    },
    get scheduleSearchAnswer() {
      return answer;
    },
    get logReads() {
      return logReads;
    },
    update(patch) {
      if (patch.tokenRateLimitPerMinute !== undefined) tokenLimit = patch.tokenRateLimitPerMinute;
      for (const [id, limit] of Object.entries(patch.clientRateLimits ?? {})) clientLimits.set(id, limit);
      if (patch.scheduleSearchAnswer !== undefined) answer = patch.scheduleSearchAnswer;
      if (patch.logReads !== undefined) logReads = patch.logReads;
      return view();
    },
  };
}
