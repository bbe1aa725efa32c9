import { createRootLogger as createSharedRootLogger } from '@lockstep/logging';
import type { DestinationStream, Logger } from 'pino';

/**
 * The engine process's root logger (`service: lockstep-engine`): JSON lines, secrets redacted, errors without
 * Redis command arguments or URL credentials. `destination` defaults to stdout (tests pass a stream).
 */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  return createSharedRootLogger({
    service: 'lockstep-engine',
    level,
    ...(destination === undefined ? {} : { destination }),
  });
}
