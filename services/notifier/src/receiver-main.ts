/**
 * `npm run webhook-receiver -- --port <p> --secret <whsec_...> [--host 127.0.0.1]`: verifies each delivery
 * with `standardwebhooks` and prints one line per alert on stdout; rejections go to stderr. Without `--secret`
 * the secret comes from `WEBHOOK_RECEIVER_SECRET` or `WEBHOOK_RECEIVER_SECRET_FILE`.
 */
import { parseArgs } from 'node:util';
import { isValidSecret } from '@lockstep/webhooks';
import { loadReceiverSecret } from './config.js';
import { createReceiver, formatAlertLine } from './receiver.js';

function fail(message: string): never {
  process.stderr.write(
    `webhook-receiver: ${message}\nusage: webhook-receiver --port <port> --secret <whsec_...> [--host <host>]\n`,
  );
  process.exit(1);
}

async function main(): Promise<void> {
  let values: { port?: string; secret?: string; host?: string };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, secret: { type: 'string' }, host: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const problems: string[] = [];
  if (values.secret === undefined) {
    const fromEnv = loadReceiverSecret();
    problems.push(...fromEnv.problems);
    values.secret = fromEnv.secret;
  }
  const port = Number(values.port);
  if (values.port === undefined || !/^\d{1,5}$/.test(values.port) || port > 65_535) {
    problems.push('--port must be a port number (0 picks a free one)');
  }
  if (values.secret === undefined || !isValidSecret(values.secret)) {
    problems.push(
      '--secret must be the subscription secret (whsec_ followed by base64 of 24-64 bytes), or set WEBHOOK_RECEIVER_SECRET',
    );
  }
  if (problems.length > 0) fail(problems.join('; '));
  const receiver = createReceiver({
    host: values.host ?? '127.0.0.1',
    port,
    secret: values.secret as string,
    onAlert: (alert) => process.stdout.write(`${formatAlertLine(alert)}\n`),
    onRejected: (reason) => process.stderr.write(`rejected: ${reason}\n`),
  });
  await receiver.start();
  process.stderr.write(`listening on http://${values.host ?? '127.0.0.1'}:${receiver.port()}\n`);
  const stop = () => void receiver.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
