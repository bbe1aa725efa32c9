import type { z } from 'zod';
import { describeIssues } from './common.js';
import type { EventBase, GenesysEvent } from './events.js';

/** Result of decoding one event body: the event, or a one-line schema error. */
export type BodyResult = { ok: true; event: GenesysEvent } | { ok: false; detail: string };

/**
 * Decodes the `eventBody` of one topic family. `id` is the entity id taken from the topic (agent, management unit,
 * queue), empty for topics without one.
 */
export type BodyDecoder = (body: unknown, id: string, base: EventBase) => BodyResult;

/** Builds a BodyDecoder from a zod schema and a mapper. The mapper only sees validated data. */
export function bodyDecoder<S extends z.ZodType>(
  schema: S,
  map: (data: z.output<S>, id: string, base: EventBase) => GenesysEvent,
): BodyDecoder {
  return (body, id, base) => {
    const r = schema.safeParse(body);
    if (!r.success) return { ok: false, detail: describeIssues(r.error) };
    return { ok: true, event: map(r.data, id, base) };
  };
}
