import type { CorrectionIntent, RuleId } from '@lockstep/domain';
import { describe, expect, it } from 'vitest';
import { priorityOf, type ReceivedIntent } from './priority.js';
import { createJobQueue, type Job, newJob } from './queue.js';

function intent(
  agentId: string,
  ruleId: RuleId,
  // Intents arrive through the outbox: their optional fields may hold anything.
  extra: Record<string, unknown> = {},
  attempt = 1,
): ReceivedIntent {
  const base: CorrectionIntent = {
    kind: 'set-routing-status',
    target: { status: 'IDLE' },
    id: `${agentId}:${ruleId}:c${attempt}`,
    agentId,
    ruleId,
    findingId: `${agentId}:${ruleId}`,
    attempt,
    reason: 'test',
    notBefore: 0,
  };
  return { ...base, ...extra } as ReceivedIntent;
}

function job(i: ReceivedIntent, dueAt = 0): Job {
  return newJob(i, 1, priorityOf(i), dueAt);
}

describe('priorityOf', () => {
  it('ranks stuck agents and ghosts first, declarations next, adherence last; an explicit priority wins', () => {
    expect(priorityOf(intent('a', 'stuck-not-responding'))).toBe(0);
    expect(priorityOf(intent('a', 'routable-while-offline'))).toBe(0);
    expect(priorityOf(intent('a', 'out-of-adherence-on-queue', { declarationId: 'd1' }))).toBe(1);
    expect(priorityOf(intent('a', 'on-queue-during-scheduled-off'))).toBe(2);
    expect(priorityOf(intent('a', 'on-queue-during-scheduled-off', { priority: 'stuck' }))).toBe(0);
    expect(priorityOf(intent('a', 'stuck-not-responding', { priority: 7 }))).toBe(2);
    expect(priorityOf(intent('a', 'stuck-not-responding', { priority: 'urgent' }))).toBe(0);
  });
});

describe('job queue', () => {
  it('takes due jobs by priority, then due time, skipping agents being worked on', () => {
    const q = createJobQueue();
    q.put(job(intent('a', 'out-of-adherence-on-queue'), 0));
    q.put(job(intent('b', 'stuck-not-responding'), 5));
    q.put(job(intent('c', 'state-not-sticking', { declarationId: 'd' }), 1));
    q.put(job(intent('d', 'stuck-not-responding'), 100));
    expect(q.nextDue(new Set())).toBe(0);
    expect(q.takeDue(10, new Set(['b']))?.intent.agentId).toBe('c');
    expect(q.takeDue(10, new Set())?.intent.agentId).toBe('b');
    expect(q.takeDue(10, new Set())?.intent.agentId).toBe('a');
    expect(q.takeDue(10, new Set())).toBeUndefined();
    expect(q.size()).toBe(1);
  });

  it('keeps the newest attempt of a finding and drops a resolved finding', () => {
    const q = createJobQueue();
    q.put(job(intent('a', 'stuck-not-responding', {}, 2)));
    q.put(job(intent('a', 'stuck-not-responding', {}, 1)));
    expect(q.size()).toBe(1);
    expect(q.takeDue(0, new Set())?.intent.attempt).toBe(2);
    q.put(job(intent('a', 'stuck-not-responding', {}, 3)));
    q.dropFinding('a', 'a:stuck-not-responding');
    expect(q.size()).toBe(0);
  });
});
