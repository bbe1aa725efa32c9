// The image's HEALTHCHECK: GET /healthz of the service this container runs; exit 0 when it answers 2xx within 2 s.
// The service is read from the running node process (or LOCKSTEP_SERVICE); its port from the service's own
// setting (HEALTHCHECK_PORT overrides it).
import { readdirSync, readFileSync } from 'node:fs';

const ports = {
  engine: process.env.METRICS_PORT ?? '9464',
  notifier: process.env.METRICS_PORT ?? '9465',
  'admin-api': process.env.ADMIN_API_PORT ?? '8088',
  'genesys-sim': process.env.SIM_PORT ?? '8080',
  'webhook-receiver': process.env.RECEIVER_PORT ?? '9000',
};

function runningService() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmd;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes('receiver-main.js')) return 'webhook-receiver';
    const match = /services\/([a-z-]+)\/dist\/main\.js/.exec(cmd);
    if (match) return match[1];
  }
  return undefined;
}

const service = process.env.LOCKSTEP_SERVICE ?? runningService() ?? 'engine';
const port = process.env.HEALTHCHECK_PORT ?? ports[service] ?? '9464';
// The simulator and the webhook receiver have no health route: any answer below 500 shows that they serve.
const anyAnswer = service === 'genesys-sim' || service === 'webhook-receiver';
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })
  .then((res) => process.exit(res.ok || (anyAnswer && res.status < 500) ? 0 : 1))
  .catch(() => process.exit(1));
