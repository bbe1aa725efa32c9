const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `5s`, `5m`, `2h`, `5d` (integer amounts). Returns `null` when malformed. Pure. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (m === null) return null;
  return Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
}

/** Parses a comma-separated list of durations; `problems` names each bad item. Pure. */
export function parseDurationList(text: string): { values: number[]; problems: string[] } {
  const values: number[] = [];
  const problems: string[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    const ms = parseDuration(item);
    if (ms === null)
      problems.push(`${JSON.stringify(item.slice(0, 40))} is not a duration such as 5s, 5m or 2h`);
    else values.push(ms);
  }
  return { values, problems };
}
