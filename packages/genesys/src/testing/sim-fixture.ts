import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil, repoRoot, type SimProcess, startSim } from '@lockstep/testkit';
import { pino } from 'pino';
import { createGenesysApi, type GenesysApi, type GenesysApiOptions } from '../api.js';

/** OAuth clients added to the calm-day scenario for adapter tests. */
export const CLIENTS = {
  full: { clientId: 'lockstep-demo', clientSecret: 'lockstep-demo-secret' },
  noWfm: { clientId: 'lockstep-no-wfm', clientSecret: 'no-wfm-secret' },
  shortToken: { clientId: 'lockstep-short-token', clientSecret: 'short-token-secret' },
} as const;

/** Token lifetime of the `shortToken` client, seconds. */
export const SHORT_TOKEN_SEC = 3;

export const silentLogger = pino({ level: 'silent' });

export interface SimFixture {
  readonly sim: SimProcess;
  api(client?: keyof typeof CLIENTS, extra?: Partial<GenesysApiOptions>): GenesysApi;
  stop(): Promise<void>;
}

/**
 * Starts the simulator on the calm-day scenario plus two OAuth clients: one without WFM permissions and one
 * whose tokens live only a few seconds.
 */
export async function startSimFixture(args: string[] = []): Promise<SimFixture> {
  const scenario = JSON.parse(
    readFileSync(join(repoRoot, 'services/genesys-sim/scenarios/calm-day.json'), 'utf8'),
  );
  // calm-day ships the client without WFM permissions; the short-token client is added here.
  scenario.oauthClients.push({
    ...CLIENTS.shortToken,
    tokenLifetimeSec: SHORT_TOKEN_SEC,
    permissions: ['wfm', 'presence', 'routing', 'telephony', 'directory'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'genesys-adapter-'));
  const file = join(dir, 'calm-day-clients.json');
  writeFileSync(file, JSON.stringify(scenario));
  // A high platform rate limit keeps tests quick; the 429 behaviour is tested with the rate-limit-storm fault.
  const sim = await startSim({
    scenario: file,
    args: ['--heartbeat-ms', '200', '--rate-limit', '100000', ...args],
  });
  const apis: GenesysApi[] = [];
  return {
    sim,
    api(client = 'full', extra = {}) {
      const api = createGenesysApi({
        logger: silentLogger,
        options: {
          target: { apiBase: sim.baseUrl },
          ...CLIENTS[client],
          ...extra,
          pacing: { ratePerMinute: 60_000, burst: 100, ...extra.pacing },
        },
      });
      apis.push(api);
      return api;
    },
    async stop() {
      for (const a of apis) a.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export function waitFor<T>(
  check: () => T | undefined | false,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  return pollUntil(check, { timeoutMs, what, intervalMs: 20 });
}
