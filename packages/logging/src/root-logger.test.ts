import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRootLogger } from './root-logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createRootLogger({ service: 'test', level: 'trace', destination });
  return { logger, lines };
}

/** The shape ioredis gives a rejected queued command (redis-parser's `ReplyError` plus `command`). */
function authReplyError(password: string): Error {
  const err = new Error('WRONGPASS invalid username-password pair or user is disabled.');
  err.name = 'ReplyError';
  Object.assign(err, { command: { name: 'auth', args: [password] } });
  return err;
}

describe('createRootLogger', () => {
  it('drops Redis command arguments from a logged error and keeps the command name', () => {
    const { logger, lines } = capture();
    logger.warn({ err: authReplyError('pw-under-err') }, 'lease renewal failed');
    logger.error(authReplyError('pw-as-first-arg'), 'failed');
    logger.error({ error: authReplyError('pw-under-error') }, 'failed');
    const wrapped = new Error('start failed', { cause: authReplyError('pw-in-cause') });
    logger.fatal({ err: wrapped }, 'engine failed to start');
    const text = lines.join('');
    expect(text).not.toMatch(/pw-/);
    const last = JSON.parse(lines[3] ?? '{}') as { err: { message: string } };
    expect(last.err.message).toBe(
      'start failed: WRONGPASS invalid username-password pair or user is disabled.',
    );
    const first = JSON.parse(lines[0] ?? '{}') as { err: { command: unknown; message: string } };
    expect(first.err.command).toEqual({ name: 'auth' });
    expect(first.err.message).toMatch(/WRONGPASS/);
  });

  it('drops the arguments of the errors an ioredis error carries (previousErrors)', () => {
    const { logger, lines } = capture();
    const outer = Object.assign(new Error('Command failed'), {
      previousErrors: [authReplyError('pw-previous-1'), authReplyError('pw-previous-2')],
    });
    logger.error({ err: outer }, 'failed');
    expect(lines.join('')).not.toMatch(/pw-previous/);
    expect(lines.join('')).toMatch(/WRONGPASS/);
  });

  it('cleans any error field: nested errors, secret-named keys, URLs and command arguments deep inside', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('Connection failed'), {
      lastNodeError: authReplyError('pw-node'),
      originalError: authReplyError('pw-original'),
      options: { password: 'pw-option', sentinels: [{ url: 'redis://:pw-url@10.0.0.2:26379' }] },
      response: { req: { headers: { Authorization: 'Bearer pw-bearer' } } },
      command: { name: 'eval', args: ['script', 'pw-eval'] },
    });
    logger.error({ err }, 'failed');
    const text = lines.join('');
    expect(text).not.toMatch(/pw-/);
    const line = JSON.parse(lines[0] ?? '{}') as {
      err: { options: unknown; originalError: { command: unknown }; command: unknown };
    };
    expect(line.err.command).toEqual({ name: 'eval' });
    expect(line.err.originalError.command).toEqual({ name: 'auth' });
    expect(line.err.options).toEqual({
      password: '[redacted]',
      sentinels: [{ url: 'redis://[redacted]@10.0.0.2:26379' }],
    });
  });

  it('scrubs credentials from URLs in error messages and stacks', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('cannot reach redis://:url-pw@10.0.0.1:6379/0') }, 'failed');
    expect(lines.join('')).not.toMatch(/url-pw/);
    expect(lines.join('')).toMatch(/redis:\/\/\[redacted\]@10\.0\.0\.1:6379/);
  });

  it('redacts every secret-bearing field at the top level and nested', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        clientSecret: 's-1',
        token: 's-2',
        accessToken: 's-3',
        redisUrl: 'redis://:s-4@h',
        config: { genesys: { clientSecret: 's-5' }, redisUrls: ['redis://:s-6@h'] },
        webhook: { secret: 's-7', signingSecret: 's-8' },
        admin: { apiKey: 's-9' },
        req: { headers: { authorization: 'Bearer s-10', 'x-api-key': 's-11', cookie: 's-12' } },
        password: 's-13',
      },
      'settings',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/s-\d/);
    expect(text.match(/\[redacted\]/g)?.length).toBe(13);
  });

  it('redacts webhook signing secrets (a rotation holds several) and signatures in request headers', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        subscription: { id: 'sub-1', secrets: [{ secret: 'whsec_w-1', expiresAt: null }] },
        secrets: ['whsec_w-2'],
        request: { headers: { 'webhook-signature': 'v1,w-3', 'webhook-id': 'msg-1' } },
      },
      'delivering',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/w-\d/);
    const line = JSON.parse(lines[0] ?? '{}') as {
      subscription: { id: string; secrets: unknown };
      request: { headers: Record<string, unknown> };
    };
    expect(line.subscription).toEqual({ id: 'sub-1', secrets: '[redacted]' });
    expect(line.request.headers).toEqual({ 'webhook-signature': '[redacted]', 'webhook-id': 'msg-1' });
  });

  it('leaves fields that are not secrets as they are', () => {
    const { logger, lines } = capture();
    logger.info({ agentId: 'a-1', queue: 'q-1' }, 'tracked');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ service: 'test', agentId: 'a-1', queue: 'q-1', msg: 'tracked' });
  });
});
