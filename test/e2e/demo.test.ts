/**
 * `make demo` end to end: scripts/demo.ts runs the real processes (redis-server, simulator on the `demo` scenario,
 * engine, notifier, webhook receiver) without a terminal, as in CI. With `--fast` it ends as soon as every story's
 * expected outcome has happened; the test re-reads the recording it wrote and checks the outcomes against the
 * simulator's ground truth, then that no process it started is left. A second run is interrupted with SIGINT
 * while the stories play and must leave no process behind either.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil, repoRoot } from '@lockstep/testkit';
import { afterAll, describe, expect, it } from 'vitest';

interface Entry {
  type: string;
  agentId: string;
  ruleId: string | null;
}
interface Result {
  ok: boolean;
  checks: { id: string; status: 'passed' | 'failed'; detail: string }[];
  recording: {
    agents: { id: string; story: string; stationDead: boolean; stationLost: boolean }[];
    entries: Entry[];
    alerts: { type: string; agentId: string | null; ruleId: string | null }[];
    declared: { agentId: string }[];
    engine: { trackedAgents: number; eventsReceived: number };
  };
  pids: { name: string; pid: number }[];
  logDir: string;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function startDemo(args: string[]): { child: ChildProcess; output: () => string } {
  // The demo's own private redis-server, as on a fresh machine.
  const env = { ...process.env };
  delete env.REDIS_URL;
  const child = spawn(
    process.execPath,
    ['--conditions=@lockstep/source', '--import', 'tsx', 'scripts/demo.ts', ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Direct children of `pid` (the processes the demo started). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

describe('make demo', () => {
  it('plays both stories, meets every expected outcome and leaves no process behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
    dirs.push(dir);
    const resultFile = join(dir, 'result.json');
    const demo = startDemo(['--fast', '--result', resultFile]);
    const code = await exited(demo.child);
    expect(code, demo.output()).toBe(0);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as Result;
    dirs.push(result.logDir);
    const r = result.recording;

    expect(result.ok).toBe(true);
    expect(result.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(result.checks.filter((c) => c.status === 'passed').length).toBeGreaterThanOrEqual(5);
    expect(r.engine.trackedAgents).toBe(r.agents.length);
    expect(r.engine.eventsReceived).toBeGreaterThan(0);

    // Tuesday: every softphone the simulator killed is named by a finding and by a verified alert.
    const dead = r.agents.filter((a) => a.story === 'tuesday' && a.stationDead).map((a) => a.id);
    expect(dead.length).toBeGreaterThan(0);
    const openedFor = (id: string) =>
      r.entries.filter((e) => e.type === 'finding.opened' && e.agentId === id);
    for (const id of dead) {
      const findings = openedFor(id);
      expect(findings.length, id).toBeGreaterThan(0);
      for (const f of findings) {
        expect(r.alerts).toContainEqual(
          expect.objectContaining({ type: 'finding.opened', agentId: id, ruleId: f.ruleId }),
        );
      }
    }
    // The declared pushes that were reverted are found (a revert of the desired state, or a state that did not
    // stick), and only declared agents are; every declared seat has an outcome.
    const declared = new Set(r.declared.map((d) => d.agentId));
    const notSticking = r.entries.filter(
      (e) =>
        (e.type === 'finding.opened' && e.ruleId === 'state-not-sticking') ||
        e.type === 'declaration.reverted',
    );
    expect(notSticking.length).toBeGreaterThan(0);
    for (const e of notSticking) expect(declared.has(e.agentId)).toBe(true);
    const withOutcome = new Set(
      r.entries.filter((e) => e.type.startsWith('declaration.')).map((e) => e.agentId),
    );
    for (const id of declared) expect(withOutcome.has(id), id).toBe(true);

    // Friday: every agent On Queue without a station has a finding.
    const lost = r.agents.filter((a) => a.story === 'friday' && a.stationLost).map((a) => a.id);
    expect(lost.length).toBeGreaterThan(0);
    for (const id of lost) expect(openedFor(id).length, id).toBeGreaterThan(0);

    // Resolutions were alerted too, and every process the demo started is gone.
    expect(r.alerts.some((a) => a.type === 'finding.resolved')).toBe(true);
    expect(result.pids.length).toBeGreaterThanOrEqual(4);
    for (const { name, pid } of result.pids) expect(alive(pid), name).toBe(false);
  }, 240_000);

  it('stops every process it started on Ctrl-C (SIGINT)', async () => {
    const demo = startDemo([]);
    await pollUntil(() => /engine started/.test(demo.output()), {
      timeoutMs: 120_000,
      what: 'the engine to start',
    });
    const children = childrenOf(demo.child.pid!);
    // redis-server, the receiver, the notifier, the simulator and the engine.
    expect(children.length).toBeGreaterThanOrEqual(5);
    demo.child.kill('SIGINT');
    const code = await exited(demo.child);
    expect(code).toBe(130);
    const logDir = /logs in (\S+)\)/.exec(demo.output())?.[1];
    if (logDir) dirs.push(logDir);
    await pollUntil(() => children.every((pid) => !alive(pid)), {
      timeoutMs: 10_000,
      what: 'every child to exit',
    });
    expect(children.filter(alive)).toEqual([]);
  }, 180_000);
});
