import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createRootLogger } from './logger.js';

test('log lines carry no Redis command arguments, authorization header, key or secret', () => {
  const lines: string[] = [];
  const logger = createRootLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const err = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
    command: { name: 'auth', args: ['default', 'redis-pw-123'] },
  });
  logger.error({ err }, 'redis failed');
  logger.info(
    { req: { headers: { authorization: 'Bearer lsk_k1' } }, key: 'lsk_k2', nested: { secret: 's3' } },
    'request',
  );
  const text = lines.join('');
  expect(text).toContain('WRONGPASS');
  expect(text).toContain('request');
  for (const secret of ['redis-pw-123', 'lsk_k1', 'lsk_k2', 's3']) expect(text).not.toContain(secret);
});
