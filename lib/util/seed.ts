/**
 * Seed derivation: every random stream derived from a user's seed is named by a tag (and an index),
 * and its 64-bit seed is deriveSeed(seed, tag, index), the same function as in native/core/seed.h.
 * For a fixed (tag, index) it is a bijection of seeds, and streams of different (tag, index) are keyed
 * apart: generate({ seed: s }) at step k + 1 shares nothing with generate({ seed: s + 1 }) at step k.
 */
import { checkInteger, invalid } from './validate';

const MASK = (1n << 64n) - 1n;

/** splitmix64's output function: a bijection of 64-bit words. */
function mix64(x: bigint): bigint {
  let z = x & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

const tagKeys = new Map<string, bigint>();

/** FNV-1a over the tag's UTF-8 bytes, then mixed. */
function tagKey(tag: string): bigint {
  let key = tagKeys.get(tag);
  if (key === undefined) {
    let h = 0xcbf29ce484222325n;
    for (const byte of Buffer.from(tag, 'utf8')) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & MASK;
    key = mix64(h);
    tagKeys.set(tag, key);
  }
  return key;
}

function toUint64(name: string, value: number | bigint): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value > MASK) throw invalid(`${name} must be in [0, 2^64)`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${name} must be an integer in [0, 2^53) or a bigint in [0, 2^64), got ${String(value)}`);
  }
  return BigInt(value);
}

/** The seed, in [0, 2^64), of stream (tag, index) under `seed`. */
export function deriveSeed(seed: number | bigint, tag: string, index: number | bigint = 0): bigint {
  if (typeof tag !== 'string') throw invalid('tag must be a string');
  const key = mix64(tagKey(tag) ^ mix64(toUint64('index', index) + 0x9e3779b97f4a7c15n));
  return mix64(mix64(toUint64('seed', seed) + 0x6a09e667f3bcc909n) ^ key);
}

/** A user's seed: an integer in [0, 2^53) or a bigint in [0, 2^64) (derived seeds are bigints). */
export function checkSeed(value: unknown, name = 'seed'): number | bigint {
  if (typeof value === 'bigint') toUint64(name, value);
  else checkInteger(name, value, 0);
  return value as number | bigint;
}
