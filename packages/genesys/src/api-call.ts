import type { Logger } from 'pino';
import type { GenesysAuth } from './auth.js';
import { isGenesysError } from './errors.js';
import type { PacedResult, Pacer, RunOptions } from './pacer.js';
import type { SdkClient } from './sdk-client.js';

/** A successful answer with what the response said about itself (the SDK hides headers on success otherwise). */
export interface Sent<T> {
  readonly value: T;
  /** The HTTP status, `null` when the SDK did not show the response. */
  readonly status: number | null;
  /** The platform's `inin-correlation-id` of the answer, `null` when it sent none. */
  readonly correlationId: string | null;
}

/**
 * Runs one SDK call through the pacer; on 401 logs in again once and repeats the call. `sent` does the same and
 * also resolves the answer's status and correlation id (for audited writes).
 */
export interface ApiCall {
  <T>(operation: string, fn: () => Promise<T>, opts?: RunOptions): Promise<T>;
  sent<T>(operation: string, fn: () => Promise<T>, opts?: RunOptions): Promise<Sent<T>>;
}

export function createApiCall(client: SdkClient, pacer: Pacer, auth: GenesysAuth, log: Logger): ApiCall {
  const withRelogin = async <T>(
    operation: string,
    task: () => Promise<PacedResult<T>>,
    opts?: RunOptions,
  ): Promise<T> => {
    const generation = auth.generation();
    try {
      return await pacer.run(task, opts);
    } catch (e) {
      if (!isGenesysError(e, 'GENESYS_UNAUTHORIZED')) throw e;
      log.warn({ operation }, 'API answered 401; logging in again once');
      await auth.renew('unauthorized', generation);
      return pacer.run(task, opts);
    }
  };
  const call = (<T>(operation: string, fn: () => Promise<T>, opts?: RunOptions) =>
    withRelogin(operation, () => client.invoke(operation, fn), opts)) as ApiCall;
  call.sent = <T>(operation: string, fn: () => Promise<T>, opts?: RunOptions) =>
    withRelogin<Sent<T>>(
      operation,
      async () => {
        const r = await client.invoke(operation, fn);
        return {
          value: { value: r.value, status: r.status ?? null, correlationId: r.correlationId ?? null },
          ...(r.rateLimit === undefined ? {} : { rateLimit: r.rateLimit }),
        };
      },
      opts,
    );
  return call;
}

/** Splits `items` into arrays of at most `size`. Pure. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
