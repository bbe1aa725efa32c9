import { MAX_ID_LENGTH } from './keys.js';

/**
 * Kinds of agent-list tags that do not come from the committed state: the agent directory's memberships
 * (`queue:<id>`, `mu:<id>`, `division:<id>`).
 */
export const EXTRA_TAG_KINDS = ['queue', 'mu', 'division'] as const;
export type ExtraTagKind = (typeof EXTRA_TAG_KINDS)[number];

const TAG_VALUE = /^[^{}|\s\p{Cc}]+$/u;

/** `kind:value`, or `undefined` when the value cannot be a tag (empty, too long, forbidden characters). Pure. */
export function tagOf(kind: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !TAG_VALUE.test(value)) return undefined;
  const tag = `${kind}:${value}`;
  return tag.length <= MAX_ID_LENGTH ? tag : undefined;
}
