import type { FindingDoc } from '@lockstep/store';
import { pollUntil } from '@lockstep/testkit';
import type { Stack } from './stack.js';
import { openFindings } from './views.js';

/** A finding as first seen in Redis, and when (epoch ms, this process's clock). */
export interface SeenFinding {
  readonly finding: FindingDoc;
  readonly seenAt: number;
}

const describeFindings = async (stack: Stack, agentId: string) => {
  const open = await openFindings(stack.reads, agentId);
  const list = open.map((f) => `${f.ruleId} (opened ${new Date(f.openedAt).toISOString()})`).join(', ');
  return `open findings of ${agentId}: ${list || 'none'}\n${await stack.explain([agentId])}`;
};

/** Polls Redis (every 25 ms) until the agent has an open finding of `ruleId`; throws after `timeoutMs`. */
export async function waitForFinding(
  stack: Stack,
  agentId: string,
  ruleId: string,
  timeoutMs: number,
): Promise<SeenFinding> {
  return pollUntil(
    async () => {
      const finding = (await openFindings(stack.reads, agentId)).find((f) => f.ruleId === ruleId);
      return finding === undefined ? undefined : { finding, seenAt: Date.now() };
    },
    {
      timeoutMs,
      intervalMs: 25,
      what: `an open ${ruleId} finding on ${agentId}`,
      explain: () => describeFindings(stack, agentId),
    },
  );
}

/** Polls Redis until the agent has no open finding of `ruleId`; throws after `timeoutMs`. Returns when. */
export async function waitForResolution(
  stack: Stack,
  agentId: string,
  ruleId: string,
  timeoutMs: number,
): Promise<number> {
  return pollUntil(
    async () =>
      (await openFindings(stack.reads, agentId)).some((f) => f.ruleId === ruleId) ? undefined : Date.now(),
    {
      timeoutMs,
      what: `the ${ruleId} finding on ${agentId} to resolve`,
      explain: () => describeFindings(stack, agentId),
    },
  );
}
