import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAndWait, pollUntil, repoRoot } from '@lockstep/testkit';
import { generateSecret, signDelivery } from '@lockstep/webhooks';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./receiver-main.ts', import.meta.url));
const children: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await killAndWait(c);
});

function run(args: string[]) {
  const child = spawn(process.execPath, ['--conditions=@lockstep/source', '--import', 'tsx', MAIN, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (b: Buffer) => (out.stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out.stderr += b.toString()));
  return { child, out };
}

describe('webhook-receiver', () => {
  it('verifies with standardwebhooks, prints one line per alert, and refuses a bad signature', async () => {
    const secret = generateSecret();
    const { out } = run(['--port', '0', '--secret', secret]);
    const port = await pollUntil(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out.stderr)?.[1], {
      timeoutMs: 20_000,
      what: 'the receiver to listen',
    });
    const body = JSON.stringify({
      type: 'finding.opened',
      timestamp: '2026-03-03T09:00:00.000Z',
      data: { agentId: 'agent-1', ruleId: 'station-dead', severity: 'warning', summary: 'station dead' },
    });
    const headers = signDelivery([secret], 'msg_abc', Math.floor(Date.now() / 1000), body);
    const ok = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers: { ...headers } });
    expect(ok.status).toBe(204);
    const forged = signDelivery([generateSecret()], 'msg_def', Math.floor(Date.now() / 1000), body);
    const bad = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers: { ...forged } });
    expect(bad.status).toBe(401);
    await pollUntil(() => out.stderr.includes('rejected'), { timeoutMs: 5_000, what: 'the rejection' });
    expect(out.stdout).toBe(
      '2026-03-03T09:00:00.000Z finding.opened msg_abc agentId=agent-1 ruleId=station-dead severity=warning "station dead"\n',
    );
    expect(out.stdout + out.stderr).not.toContain(secret.slice(6));
  });

  it('lists every argument problem and exits 1', async () => {
    const { child, out } = run(['--port', 'eighty', '--secret', 'hunter2']);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(out.stderr).toContain('--port must be a port number');
    expect(out.stderr).toContain('--secret must be the subscription secret');
    expect(out.stderr).not.toContain('hunter2');
  });
});
