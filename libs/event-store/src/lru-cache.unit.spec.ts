import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('holds nothing with capacity 0', () => {
    const cache = new LruCache<string, number>(0);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('KeyedMutex', () => {
  it('runs the work of one key in call order, other keys concurrently, and forgets idle keys', async () => {
    const mutex = new KeyedMutex<string>();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = mutex.run('a', async () => {
      await gate;
      log.push('a1');
    });
    const second = mutex.run('a', async () => {
      log.push('a2');
      throw new Error('boom');
    });
    const third = mutex.run('a', async () => log.push('a3'));
    await mutex.run('b', async () => log.push('b1'));
    release();
    await first;
    await expect(second).rejects.toThrow('boom');
    await third;
    expect(log).toEqual(['b1', 'a1', 'a2', 'a3']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(mutex.activeKeys).toBe(0);
  });
});

describe('LruCache by weight', () => {
  it('evicts the least recently used entries until the summed weight fits, whatever their count', () => {
    const cache = new LruCache<string, number>(100, (subtasks) => subtasks);
    cache.set('small-1', 10);
    cache.set('small-2', 10);
    cache.set('big', 70);
    expect(cache.totalWeight).toBe(90);
    cache.get('small-1');
    cache.set('big-2', 30);
    // small-2 then big go (least recently used first) until 10 + 30 fit.
    expect([cache.get('small-1'), cache.get('small-2'), cache.get('big'), cache.get('big-2')]).toEqual([10, undefined, undefined, 30]);
    expect(cache.totalWeight).toBe(40);
  });

  it('keeps nothing heavier than the whole budget', () => {
    const cache = new LruCache<string, number>(100, (n) => n);
    cache.set('a', 5);
    cache.set('huge', 1000);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('a')).toBe(5);
  });
});
