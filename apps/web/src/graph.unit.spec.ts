import { describe, expect, it } from 'vitest';
import { layoutGraph, NODE_WIDTH, released } from './graph.js';

const node = (id: string, status: string, dependsOn: string[] = []) => ({ id, status, dependsOn });

describe('released', () => {
  // a → b → d, a → c → d, e alone; b already ran.
  const diamond = [node('a', 'failed'), node('b', 'blocked', ['a']), node('c', 'blocked', ['a']), node('d', 'blocked', ['b', 'c']), node('e', 'blocked')];

  it('names every SubTask waiting on the retried one, directly or through others, in creation order', () => {
    expect(released(diamond, 'a').map((n) => n.id)).toEqual(['b', 'c', 'd']);
  });

  it('leaves out what does not wait on it, and what has already started or finished', () => {
    const nodes = [node('a', 'failed'), node('b', 'success', ['a']), node('c', 'blocked', ['b']), node('x', 'failed'), node('y', 'blocked', ['x'])];
    expect(released(nodes, 'a').map((n) => n.id)).toEqual([]);
    expect(released(nodes, 'x').map((n) => n.id)).toEqual(['y']);
  });

  it('finds a dependent listed before its dependency', () => {
    expect(released([node('late', 'blocked', ['mid']), node('a', 'failed'), node('mid', 'blocked', ['a'])], 'a').map((n) => n.id)).toEqual(['late', 'mid']);
  });
});

describe('layoutGraph', () => {
  it('puts what runs side by side in one column and a dependency to the left of what waits on it', () => {
    const layout = layoutGraph([node('a', 'success'), node('b', 'running', ['a']), node('c', 'running', ['a']), node('d', 'blocked', ['b', 'c'])]);
    const at = Object.fromEntries(layout.nodes.map((p) => [p.node.id, p]));
    expect(at.b!.x).toBe(at.c!.x);
    expect(at.b!.y).not.toBe(at.c!.y);
    expect(at.a!.x + NODE_WIDTH).toBeLessThan(at.b!.x);
    expect(at.b!.x + NODE_WIDTH).toBeLessThan(at.d!.x);
    expect(layout.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['a>b', 'a>c', 'b>d', 'c>d']);
    expect(layout.edges.every((e) => e.d.startsWith('M'))).toBe(true);
    expect(layout.width).toBeGreaterThanOrEqual(3 * NODE_WIDTH);
  });

  it('ignores a dependency on a SubTask it was not given', () => {
    expect(layoutGraph([node('a', 'queued', ['gone'])]).edges).toEqual([]);
  });
});
