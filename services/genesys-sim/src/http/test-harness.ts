import { pino } from 'pino';
import { defaultConfig, type SimConfig } from '../config.js';
import { loadScenario } from '../scenario/index.js';
import { createSimServer, type SimServer } from '../server.js';
import type { OAuthClientSpec, SimWorld } from '../world/contract.js';
import { createWorld } from '../world/index.js';

/** A simulator served in-process over real sockets on 127.0.0.1:0, around a virtual-clock world. For tests. */
export interface InProcessSim {
  readonly world: SimWorld;
  readonly server: SimServer;
  readonly port: number;
  readonly baseUrl: string;
  readonly clients: readonly OAuthClientSpec[];
  /** Test-controlled real clock (token lifetimes, rate-limit windows). */
  readonly clock: { now: number };
  /** Calls the control API; resolves `{status, body}` whatever the status. */
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Fetches a client-credentials token over HTTP. */
  token(client?: OAuthClientSpec): Promise<string>;
  close(): Promise<void>;
}

export interface InProcessSimOptions {
  readonly scenario?: string;
  readonly config?: Partial<SimConfig>;
  /** Extra OAuth clients added to the scenario's. */
  readonly extraClients?: readonly Partial<OAuthClientSpec>[];
}

/** Starts the transport around the real world of a shipped scenario. */
export async function startInProcessSim(opts: InProcessSimOptions = {}): Promise<InProcessSim> {
  const scenario = loadScenario(opts.scenario ?? 'calm-day') as unknown as {
    oauthClients: OAuthClientSpec[];
  };
  const extra = (opts.extraClients ?? []).map((c, i): OAuthClientSpec => ({
    clientId: c.clientId ?? `extra-client-${i}`,
    clientSecret: c.clientSecret ?? `extra-secret-${i}`,
    tokenLifetimeSec: c.tokenLifetimeSec ?? 86_400,
    permissions: c.permissions ?? ['wfm', 'presence', 'routing', 'telephony', 'directory'],
    ...(c.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: c.rateLimitPerMinute }),
  }));
  const withClients = { ...scenario, oauthClients: [...scenario.oauthClients, ...extra] };
  const world = createWorld({ scenario: withClients, clock: 'virtual', seed: 1 });
  const clock = { now: Date.now() };
  const config = defaultConfig({ ...opts.config, port: 0, host: '127.0.0.1' });
  const server = createSimServer({
    world,
    config,
    logger: pino({ level: 'silent' }),
    clock: () => clock.now,
  });
  const { port, baseUrl } = await server.start();
  const clients = world.oauthClients;
  return {
    world,
    server,
    port,
    baseUrl,
    clients,
    clock,
    async control(method, path, body) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${config.controlToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async token(client = clients[0]!) {
      const res = await fetch(`${baseUrl}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async close() {
      world.stop();
      await server.close();
    },
  };
}
