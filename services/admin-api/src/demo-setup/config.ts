import { resolveSecretFiles } from '@lockstep/config';
import { isValidSecret } from '@lockstep/webhooks';
import { type AdminApiConfig, loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/**
 * The compose demo set-up's configuration: the ONLY module of the set-up that reads `process.env`. Redis, the key
 * prefix and the webhook SSRF policy are read exactly as the admin API reads them (`loadConfig`); the demo's own
 * settings are added. Every problem of both is listed in one `ConfigError`. The result is frozen.
 */
export interface DemoSetupConfig {
  /** The admin API's settings (Redis, prefix, SSRF policy). */
  readonly api: AdminApiConfig;
  /** The demo receiver's URL, as the notifier reaches it on the compose network. */
  readonly receiverUrl: string;
  /** The secret the demo receiver verifies with. Never print it. */
  readonly receiverSecret: string;
  /** The admin API as the user reaches it from the host, for the printed curl line. */
  readonly publicApiUrl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const httpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

export function loadDemoSetupConfig(input: Env = process.env): DemoSetupConfig {
  const secrets = resolveSecretFiles(input, ['DEMO_WEBHOOK_SECRET']);
  const problems: string[] = [...secrets.problems];
  const env = secrets.env;
  let api: AdminApiConfig | undefined;
  try {
    api = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const receiverSecret = env.DEMO_WEBHOOK_SECRET?.trim() ?? '';
  if (receiverSecret === '' && (input.DEMO_WEBHOOK_SECRET_FILE?.trim() ?? '') === '') {
    problems.push('DEMO_WEBHOOK_SECRET: is required (the secret the demo webhook receiver verifies with)');
  } else if (receiverSecret !== '' && !isValidSecret(receiverSecret)) {
    // The message never echoes the value.
    problems.push('DEMO_WEBHOOK_SECRET: must be whsec_ followed by the base64 of 24-64 bytes');
  }
  const receiverUrl = env.DEMO_RECEIVER_URL?.trim() || 'http://webhook-receiver:9000/';
  if (!httpUrl(receiverUrl)) problems.push('DEMO_RECEIVER_URL: must be an http(s) URL');
  const publicApiUrl = (env.DEMO_API_URL?.trim() || 'http://127.0.0.1:8088').replace(/\/+$/, '');
  if (!httpUrl(publicApiUrl)) problems.push('DEMO_API_URL: must be an http(s) URL');
  if (problems.length > 0 || api === undefined) throw new ConfigError(problems);
  return Object.freeze({ api, receiverUrl, receiverSecret, publicApiUrl });
}
