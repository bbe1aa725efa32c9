import type { Logger } from 'pino';
import type { GenesysAuth } from './auth.js';
import { isGenesysError } from './errors.js';
import type { Pacer, RunOptions } from './pacer.js';
import type { SdkClient } from './sdk-client.js';

/** Runs one SDK call through the pacer; on 401 logs in again once and repeats the call. */
export type ApiCall = <T>(operation: string, fn: () => Promise<T>, opts?: RunOptions) => Promise<T>;

export function createApiCall(client: SdkClient, pacer: Pacer, auth: GenesysAuth, log: Logger): ApiCall {
  return async <T>(operation: string, fn: () => Promise<T>, opts?: RunOptions): Promise<T> => {
    const generation = auth.generation();
    try {
      return await pacer.run(() => client.invoke(operation, fn), opts);
    } catch (e) {
      if (!isGenesysError(e, 'GENESYS_UNAUTHORIZED')) throw e;
      log.warn({ operation }, 'API answered 401; logging in again once');
      await auth.renew('unauthorized', generation);
      return pacer.run(() => client.invoke(operation, fn), opts);
    }
  };
}

/** Splits `items` into arrays of at most `size`. Pure. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
