import { createRootLogger } from '@lockstep/logging';
import type { DestinationStream, Logger } from 'pino';

/**
 * The notifier process's root logger (`service: lockstep-notifier`), the one every lockstep process shares
 * (`@lockstep/logging`): JSON lines, secrets redacted (webhook secrets and signatures, Redis URLs and passwords),
 * errors without Redis command arguments or URL credentials. `destination` defaults to stdout.
 */
export function createNotifierLogger(level: string, destination?: DestinationStream): Logger {
  return createRootLogger({
    service: 'lockstep-notifier',
    level,
    ...(destination === undefined ? {} : { destination }),
  });
}
