import type { AgentSignals, CorrectionTarget } from '@lockstep/domain';
import { describe, expect, it } from 'vitest';
import { createConfirmations } from './confirmations.js';
import type { Job } from './queue.js';

function job(
  agentId: string,
  target: CorrectionTarget,
  attempt = 1,
  seenBefore = { presence: 100, routing: 100 },
): Job {
  return {
    intent: {
      ...target,
      id: `${agentId}:f:c${attempt}`,
      agentId,
      ruleId: 'on-queue-not-routable',
      findingId: `${agentId}:f`,
      attempt,
      reason: 'test',
      notBefore: 0,
    },
    fence: 1,
    priority: 0,
    dueAt: 0,
    seq: 0,
    phase: 'confirm',
    sends: 1,
    errors: 0,
    claimed: true,
    deferredSince: null,
    deferredAudited: false,
    before: null,
    request: null,
    result: null,
    sentAt: 0,
    seenBefore,
    done: false,
  };
}

const onQueue: CorrectionTarget = {
  kind: 'set-presence',
  target: { presence: 'ON_QUEUE', definitionId: null },
};
const idle: CorrectionTarget = { kind: 'set-routing-status', target: { status: 'IDLE' } };
const presence = (
  system: 'ON_QUEUE' | 'AVAILABLE',
  seenAt: number,
  source: 'event' | 'correction' = 'event',
) => ({ presence: { value: { system, definitionId: null }, at: seenAt, seenAt, source } }) as AgentSignals;

describe('confirmations', () => {
  it('confirm a sent correction only from a newer platform observation of the intended state', () => {
    const c = createConfirmations();
    const j = job('a', onQueue);
    c.wait(j);
    // The state the engine had seen before the send, or an older one, proves nothing.
    expect(c.confirmedBy('a', presence('ON_QUEUE', 100))).toEqual([]);
    expect(c.confirmedBy('a', presence('ON_QUEUE', 50))).toEqual([]);
    // A newer observation of another state does not confirm, nor lockstep's own entry.
    expect(c.confirmedBy('a', presence('AVAILABLE', 150))).toEqual([]);
    expect(c.confirmedBy('a', presence('ON_QUEUE', 150, 'correction'))).toEqual([]);
    expect(c.confirmedBy('b', presence('ON_QUEUE', 150))).toEqual([]);
    expect(c.confirmedBy('a', presence('ON_QUEUE', 150))).toEqual([j]);
    c.stop(j);
    expect(c.confirmedBy('a', presence('ON_QUEUE', 150))).toEqual([]);
  });

  it('take a working routing status as proof of IDLE (the agent was offered a call at once)', () => {
    const c = createConfirmations();
    const j = job('a', idle);
    c.wait(j);
    const routing = (value: 'INTERACTING' | 'OFF_QUEUE', seenAt: number) =>
      ({ routing: { value, at: seenAt, seenAt, source: 'event' } }) as AgentSignals;
    expect(c.confirmedBy('a', routing('OFF_QUEUE', 150))).toEqual([]);
    expect(c.confirmedBy('a', routing('INTERACTING', 150))).toEqual([j]);
  });

  it('stop waiting for a finding’s older intents when a newer one comes, and for all of them when it ends', () => {
    const c = createConfirmations();
    const [first, second] = [job('a', onQueue, 1), job('a', onQueue, 2)];
    c.wait(first);
    c.wait(second);
    c.dropFinding('a', 'a:f', 2);
    expect(c.confirmedBy('a', presence('ON_QUEUE', 150))).toEqual([second]);
    c.dropFinding('a', 'a:f');
    expect(c.confirmedBy('a', presence('ON_QUEUE', 150))).toEqual([]);
  });

  it('ignore a job that was guarded again for another send', () => {
    const c = createConfirmations();
    const j = job('a', onQueue);
    c.wait(j);
    j.phase = 'guard';
    expect(c.confirmedBy('a', presence('ON_QUEUE', 150))).toEqual([]);
  });
});
