import type { AgentContext } from './context.js';
import { foldDeclaration, isDesiredDeclaration } from './declarations/declare.js';
import { type AgentEvent, eventTime } from './events.js';
import { MAX_EPISODES, type Policy } from './policy.js';
import { type AgentSignals, mergeSignal, type SignalUpdate } from './signals.js';

/** Adds an episode start (newest first, no duplicates, at most `MAX_EPISODES`). Pure. */
function addEpisode(episodes: readonly number[], at: number): readonly number[] {
  if (episodes.includes(at)) return episodes;
  const next = [...episodes, at].sort((a, b) => b - a);
  return next.length > MAX_EPISODES ? next.slice(0, MAX_EPISODES) : next;
}

/** Drops episodes that left the window ending at `clock`. Returns the same array when nothing expired. */
function pruneEpisodes(episodes: readonly number[], clock: number, windowMs: number): readonly number[] {
  const oldest = episodes[episodes.length - 1];
  if (oldest === undefined || oldest + windowMs > clock) return episodes;
  return episodes.filter((e) => e + windowMs > clock);
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

interface Merged {
  signals: AgentSignals;
  episodes: readonly number[];
}

function mergeUpdate(acc: Merged, update: SignalUpdate): Merged {
  const signals = mergeSignal(acc.signals, update);
  if (update.signal !== 'routing' || update.value !== 'NOT_RESPONDING')
    return { signals, episodes: acc.episodes };
  // Every NOT_RESPONDING observation is an episode, even one too old to change the merged routing status. An
  // observation without a platform timestamp that falls inside the current NOT_RESPONDING run (a re-read of
  // the same episode) is that run's episode, not a new one.
  const routing = signals.routing;
  const sameRun =
    update.observed === true &&
    routing?.value === 'NOT_RESPONDING' &&
    update.at >= routing.at &&
    update.at <= routing.seenAt;
  return { signals, episodes: addEpisode(acc.episodes, sameRun ? routing.at : update.at) };
}

/**
 * Folds one event into the context: merges signals, records episodes and declarations, advances the clock.
 * Pure; evaluation of rules happens afterwards. Returns the same object when the event changes nothing (stale,
 * duplicate). Events with a non-finite time are ignored (context returned unchanged) so that one corrupt event
 * cannot poison an agent's clock.
 */
export function applyEvent(context: AgentContext, event: AgentEvent, policy: Policy): AgentContext {
  const time = eventTime(event);
  if (!Number.isFinite(time)) return context;
  const clock = Math.max(context.clock, time);
  let { signals, episodes, declared, desired, wfm } = context;
  switch (event.type) {
    case 'SIGNAL':
      ({ signals, episodes } = mergeUpdate({ signals, episodes }, event.update));
      break;
    case 'RESYNC':
      for (const update of event.updates) {
        if (Number.isFinite(update.at)) ({ signals, episodes } = mergeUpdate({ signals, episodes }, update));
      }
      break;
    case 'DECLARE':
      if (isDesiredDeclaration(event)) {
        desired = foldDeclaration(desired, context.agentId, event);
      } else if (declared === null || event.at >= declared.at) {
        declared = {
          presence: event.presence ?? null,
          routing: event.routing ?? null,
          by: event.by,
          at: event.at,
          until: event.at + (event.ttlMs ?? 0),
        };
      }
      break;
    case 'WFM_DISABLED':
      wfm = 'disabled';
      break;
    case 'WFM_ENABLED':
      wfm = 'enabled';
      break;
    case 'TICK':
      break;
  }
  episodes = pruneEpisodes(episodes, clock, policy.rules['repeated-not-responding'].windowMs);
  if (episodes !== context.episodes && sameNumbers(episodes, context.episodes)) episodes = context.episodes;
  if (declared !== null && declared.until <= clock) declared = null;
  // Nothing new (a stale or duplicate event): the same object, so "unchanged" is an identity check downstream.
  if (
    clock === context.clock &&
    signals === context.signals &&
    episodes === context.episodes &&
    declared === context.declared &&
    desired === context.desired &&
    wfm === context.wfm
  ) {
    return context;
  }
  return {
    agentId: context.agentId,
    clock,
    wfm,
    signals,
    episodes,
    declared,
    desired,
    findings: context.findings,
    corrections: context.corrections,
    deadline: context.deadline,
    status: context.status,
    health: context.health,
  };
}
