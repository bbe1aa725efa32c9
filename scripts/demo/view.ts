/**
 * The live view: a few status lines computed from the `Recording` so far. On a terminal they are redrawn in place
 * once a second; otherwise (CI) a plain status line is printed every `plainEveryMs`, plus one line per notable
 * event, so logs stay readable.
 */
import { entriesOf, type Recording } from './recording.js';

const count = (map: Map<string, number>) =>
  map.size === 0 ? 'none' : [...map].map(([k, n]) => `${n} ${k}`).join(', ');

function bySuffix(recording: Recording, prefix: string, skip: readonly string[] = []): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entriesOf(recording, `${prefix}.`)) {
    const suffix = e.type.slice(prefix.length + 1);
    if (!skip.includes(suffix)) out.set(suffix, (out.get(suffix) ?? 0) + 1);
  }
  return out;
}

/** The status lines. Pure. */
export function renderStatus(recording: Recording, elapsedMs: number): string[] {
  const openedIds = new Set(entriesOf(recording, 'finding.opened').map((e) => e.findingId));
  const resolved = entriesOf(recording, 'finding.resolved').filter((e) => openedIds.has(e.findingId)).length;
  const incidents = bySuffix(recording, 'incident', ['updated']);
  const corrections = bySuffix(recording, 'correction');
  const declarations = bySuffix(recording, 'declaration');
  return [
    `lockstep demo  ${(elapsedMs / 1000).toFixed(0).padStart(4)} s`,
    `  agents tracked     ${recording.engine.trackedAgents}    events/s ${recording.engine.eventsPerSecond.toFixed(1)}`,
    `  findings           ${openedIds.size - resolved} open, ${resolved} resolved (${openedIds.size} opened)`,
    `  incidents          ${count(incidents)}`,
    `  corrections        ${count(corrections)}`,
    `  declared states    ${recording.declared.length} sent; ${count(declarations)}`,
    `  alerts delivered   ${recording.alerts.length} verified by the receiver, ${recording.notifier.delivered} counted by the notifier`,
  ];
}

export interface Display {
  /** Shows the status (redrawn in place on a terminal, sampled otherwise). */
  status(lines: readonly string[]): void;
  /** A notable event: a plain line (on a terminal, printed above the status block). */
  event(line: string): void;
  /** Leaves the status block as it is and moves below it. */
  end(): void;
}

export function createDisplay(out: NodeJS.WriteStream, plainEveryMs = 10_000): Display {
  const tty = out.isTTY === true;
  let drawn = 0;
  let last: readonly string[] = [];
  let lastPlain = 0;
  const erase = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    out.write(`${last.join('\n')}\n`);
    drawn = last.length;
  };
  return {
    status(lines) {
      last = lines;
      if (tty) {
        erase();
        draw();
      } else if (Date.now() - lastPlain >= plainEveryMs) {
        lastPlain = Date.now();
        out.write(`${lines.map((l) => l.trim()).join(' | ')}\n`);
      }
    },
    event(line) {
      if (tty) {
        erase();
        out.write(`${line}\n`);
        draw();
      } else out.write(`${line}\n`);
    },
    end() {
      drawn = 0;
    },
  };
}
