/** A source of numbers in [0, 1). Injected so tests can make fault rates deterministic. */
export type RandomSource = () => number;

/** mulberry32: tiny, fast and good enough to make a fault sequence repeatable from a seed. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True with probability `rate`; a rate of 0 never draws a number, so it cannot shift a seeded sequence. */
export function chance(random: RandomSource, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return random() < rate;
}
