import { randomBytes } from 'node:crypto';

/** How long a download URL answers (real clock), like the platform's short-lived pre-signed URLs. */
export const DOWNLOAD_TTL_MS = 15 * 60_000;
/** Downloads kept at most; the oldest goes first. */
const MAX_DOWNLOADS = 1_000;

export interface Downloads {
  /** Keeps `body` and returns the id of its URL path (`/downloads/{id}`). */
  put(body: unknown): string;
  /** The body under `id`, or `undefined` when unknown or expired. */
  get(id: string): unknown;
  clear(): void;
}

/** The bodies behind `downloadUrl`s: random, unguessable ids, each answering for `DOWNLOAD_TTL_MS`. */
export function createDownloads(clock: () => number = Date.now): Downloads {
  const bodies = new Map<string, { body: unknown; expiresAt: number }>();
  return {
    put(body) {
      const id = randomBytes(16).toString('hex');
      bodies.set(id, { body, expiresAt: clock() + DOWNLOAD_TTL_MS });
      if (bodies.size > MAX_DOWNLOADS) bodies.delete(bodies.keys().next().value!);
      return id;
    },
    get(id) {
      const d = bodies.get(id);
      if (!d) return undefined;
      if (clock() >= d.expiresAt) {
        bodies.delete(id);
        return undefined;
      }
      return d.body;
    },
    clear() {
      bodies.clear();
    },
  };
}
