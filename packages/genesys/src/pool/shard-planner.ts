/** Where units go: a pure, sticky bin-packing of subscription units onto channels. */

export interface ShardPlanInput {
  /** Current channels and the unit keys they carry, in a stable order. */
  readonly channels: ReadonlyArray<{ readonly id: string; readonly units: readonly string[] }>;
  /** Desired units and how many topics each occupies. Units not listed are to be removed. */
  readonly topicCounts: ReadonlyMap<string, number>;
  readonly maxTopicsPerChannel: number;
  readonly maxChannels: number;
}

export interface ShardPlan {
  /** Final unit keys per existing channel id (every input channel appears, possibly empty). */
  readonly channels: ReadonlyMap<string, readonly string[]>;
  /** Unit keys for channels to create, one array per new channel. */
  readonly newChannels: ReadonlyArray<readonly string[]>;
  /** Desired units that fit nowhere. */
  readonly unplaced: readonly string[];
}

/**
 * Plans unit placement. Pure and deterministic. Units already on a channel stay there while it has room
 * (so a change never moves unrelated agents and never causes gaps for them); new units go to the least loaded
 * channel with room, then to new channels up to `maxChannels`; the rest are reported in `unplaced`.
 */
export function planShards(input: ShardPlanInput): ShardPlan {
  const { topicCounts, maxTopicsPerChannel: cap, maxChannels } = input;
  const bins: Array<{ id?: string; units: string[]; load: number }> = [];
  const placed = new Set<string>();
  const overflow: string[] = [];

  for (const ch of input.channels) {
    const bin = { id: ch.id, units: [] as string[], load: 0 };
    for (const key of ch.units) {
      const n = topicCounts.get(key);
      if (n === undefined || placed.has(key)) continue;
      if (bin.load + n <= cap) {
        bin.units.push(key);
        bin.load += n;
        placed.add(key);
      } else {
        overflow.push(key);
      }
    }
    bins.push(bin);
  }

  const pending = [
    ...overflow,
    ...[...topicCounts.keys()].filter((k) => !placed.has(k) && !overflow.includes(k)),
  ];
  const unplaced: string[] = [];
  for (const key of pending) {
    const n = topicCounts.get(key) ?? 0;
    let best: (typeof bins)[number] | undefined;
    for (const b of bins) {
      if (b.load + n <= cap && (best === undefined || b.load < best.load)) best = b;
    }
    if (best === undefined && bins.length < maxChannels && n <= cap) {
      best = { units: [], load: 0 };
      bins.push(best);
    }
    if (best === undefined) {
      unplaced.push(key);
      continue;
    }
    best.units.push(key);
    best.load += n;
  }

  const channels = new Map<string, readonly string[]>();
  const newChannels: string[][] = [];
  for (const b of bins) {
    if (b.id !== undefined) channels.set(b.id, b.units);
    else newChannels.push(b.units);
  }
  return { channels, newChannels, unplaced };
}
