import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startSim } from '@lockstep/testkit';
import { describe, expect, it } from 'vitest';

describe('sim CLI', () => {
  it('listens on a free port, serves REST and control, and stops on SIGTERM', async () => {
    const sim = await startSim({ scenario: 'calm-day', seed: 3, args: ['--heartbeat-ms', '200'] });
    try {
      expect(sim.output()).toContain(`listening on http://127.0.0.1:${sim.port}`);
      const agents = await sim.control<Array<{ id: string }>>('GET', '/__sim/agents');
      expect(agents.length).toBeGreaterThan(0);
      const res = await fetch(`${sim.baseUrl}/api/v2/users`);
      expect(res.status).toBe(401);
      expect(res.headers.get('inin-correlation-id')).toBeTruthy();
    } finally {
      await sim.stop();
    }
  });

  it('exits 2 with one message listing every bad flag', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@lockstep/source',
        '--import',
        'tsx',
        'services/genesys-sim/src/main.ts',
        '--port',
        'x',
        '--heartbeat-ms',
        '-5',
        '--nope',
        '1',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port');
    expect(err).toContain('--heartbeat-ms');
    expect(err).toContain('unknown flag --nope');
    expect(err).toContain('--scenario');
  });

  it('exits 2 and prints each scenario problem once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-scenario-')), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ name: 'bad', start: { local: '2024-02-30T09:00', zone: 'Mars/Olympus' }, speed: -1 }),
    );
    const child = spawn(
      process.execPath,
      [
        '--conditions=@lockstep/source',
        '--import',
        'tsx',
        'services/genesys-sim/src/main.ts',
        '--scenario',
        file,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    const count = (needle: string) => err.split(needle).length - 1;
    expect(count('start.local')).toBe(1);
    expect(count('start.zone')).toBe(1);
    expect(count('speed')).toBe(1);
    expect(err).toContain('2024-02-30');
  });
});
