import { describe, expect, it } from 'vitest';
import { createCredentialCache } from '../server/auth/credential-cache.ts';

/**
 * The rules every credential cache shares (verified tokens and sessions build
 * on it): one epoch for all its maps, a forget drops only what it picks, and a
 * read begun before any forget is not remembered in any map.
 */
describe('credential cache', () => {
  it('forgets only the picked entries of the picked map, and advances the one epoch every map shares', () => {
    const cache = createCredentialCache<{ a: string; b: number }>({ listening: () => true });
    cache.remember(cache.epoch(), { a: ['k1', 'one'], b: ['k1', 1] });
    cache.remember(cache.epoch(), { a: ['k2', 'two'] });
    const before = cache.epoch();
    cache.forget({ a: (value) => value === 'one' });
    expect(cache.get('a', 'k1')).toBeUndefined();
    expect(cache.get('a', 'k2')).toBe('two');
    expect(cache.get('b', 'k1')).toBe(1);
    cache.remember(before, { b: ['k3', 3] }); // read began before the forget
    expect(cache.get('b', 'k3')).toBeUndefined();
    cache.forget();
    expect(cache.get('a', 'k2')).toBeUndefined();
    expect(cache.get('b', 'k1')).toBeUndefined();
  });

  it('bounds each map on its own', () => {
    const cache = createCredentialCache<{ a: string; b: string }>({ listening: () => true, maxEntries: 1 });
    cache.remember(cache.epoch(), { a: ['x', 'x'], b: ['y', 'y'] });
    cache.remember(cache.epoch(), { a: ['z', 'z'] });
    expect(cache.get('a', 'x')).toBeUndefined();
    expect(cache.get('a', 'z')).toBe('z');
    expect(cache.get('b', 'y')).toBe('y');
  });
});
