import type { CorrectionIntent } from './corrections/types.js';
import {
  DECLARATION_EFFECT_TYPES,
  type DeclarationEffectType,
  type DeclarationReport,
} from './declarations/types.js';
import type { Finding } from './findings.js';

/** Effects a step produces, as data. The engine persists them (outbox) and acts on them. */
export type Effect =
  | { readonly type: 'finding.opened'; readonly finding: Finding }
  | { readonly type: 'finding.updated'; readonly finding: Finding }
  | { readonly type: 'finding.resolved'; readonly finding: Finding }
  | { readonly type: 'correction.intended'; readonly intent: CorrectionIntent }
  | { readonly type: DeclarationEffectType; readonly declaration: DeclarationReport };

export type EffectType = Effect['type'];

/** Names of the machine's effect actions (the `Effect` types). */
export const EFFECT_TYPES: readonly EffectType[] = [
  'finding.opened',
  'finding.updated',
  'finding.resolved',
  'correction.intended',
  ...DECLARATION_EFFECT_TYPES,
];
