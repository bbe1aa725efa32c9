import type { Logger } from 'pino';
import type { SimConfig } from '../config.js';
import type { ChannelRegistry } from '../notifications/channel-registry.js';
import type { SimWorld } from '../world/contract.js';
import type { Downloads } from './downloads.js';
import type { HttpFaults } from './http-faults.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RequestLog } from './request-log.js';
import type { RouteTable } from './route-table.js';
import type { SimSettings } from './settings.js';
import type { TokenStore } from './token-store.js';

/** What the REST route modules depend on. */
export interface ApiContext {
  readonly world: SimWorld;
  readonly config: SimConfig;
  readonly tokens: TokenStore;
  readonly limiter: RateLimiter;
  readonly requestLog: RequestLog;
  readonly settings: SimSettings;
  readonly downloads: Downloads;
  readonly httpFaults: HttpFaults;
  readonly registry: ChannelRegistry;
  readonly routes: RouteTable;
  readonly logger: Logger;
  /** `ws://host:port` of the listening server, when known. */
  readonly wsBase: () => string | undefined;
}
