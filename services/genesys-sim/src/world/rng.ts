import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A seeded source of every random choice the world makes. Same seed ⇒ same sequence. */
export interface WorldRng {
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [min, max] (both included). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Exponentially distributed sample with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number;
  /** A UUID-v4-shaped string drawn from the generator. */
  uuid(): string;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats four 32-bit words as a UUID v4 (version and variant bits forced). */
function uuidFromWords(a: number, b: number, c: number, d: number): string {
  const b1 = (b & 0xffff0fff) | 0x4000;
  const c1 = (c & 0x3fffffff) | 0x80000000;
  return (
    HEX[(a >>> 24) & 255]! +
    HEX[(a >>> 16) & 255]! +
    HEX[(a >>> 8) & 255]! +
    HEX[a & 255]! +
    '-' +
    HEX[(b1 >>> 24) & 255]! +
    HEX[(b1 >>> 16) & 255]! +
    '-' +
    HEX[(b1 >>> 8) & 255]! +
    HEX[b1 & 255]! +
    '-' +
    HEX[(c1 >>> 24) & 255]! +
    HEX[(c1 >>> 16) & 255]! +
    '-' +
    HEX[(c1 >>> 8) & 255]! +
    HEX[c1 & 255]! +
    HEX[(d >>> 24) & 255]! +
    HEX[(d >>> 16) & 255]! +
    HEX[(d >>> 8) & 255]! +
    HEX[d & 255]!
  );
}

/** Creates a world RNG on xoroshiro128+ (mutable generator, no per-draw allocation). */
export function createRng(seed: number): WorldRng {
  const gen: RandomGenerator = xoroshiro128plus(seed | 0);
  const u32 = (): number => gen.next() >>> 0;
  const float = (): number => {
    // 53 bits from two draws, like uniformFloat64.
    const hi = u32() >>> 5;
    const lo = u32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  return {
    float,
    int(min, max) {
      return min + Math.floor(float() * (max - min + 1));
    },
    chance(p) {
      if (p >= 1) return true;
      if (p <= 0) return false;
      return float() < p;
    },
    exponential(mean) {
      return -Math.log(1 - float()) * mean;
    },
    uuid() {
      return uuidFromWords(u32(), u32(), u32(), u32());
    },
  };
}

/** FNV-1a 32-bit hash, used to derive stable sub-seeds from names (e.g. agent-group ids). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
