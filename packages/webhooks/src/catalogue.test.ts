import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALERT_TYPES } from './catalogue.js';

describe('alert catalogue', () => {
  it('documents every alert type in docs/webhooks.md, and no other', () => {
    const doc = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
    const section = doc.split('## Alert types')[1]?.split('\n## ')[0] ?? '';
    const documented = [...section.matchAll(/^\| `([a-z.]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...ALERT_TYPES]);
  });
});
