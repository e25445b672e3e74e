// A Task's SubTasks as a graph of their dependencies, laid out in layers by dagre: what ran side by
// side sits in one column, what waits on what is an arrow. And what a retry or skip would release.

import dagre from '@dagrejs/dagre';

export interface GraphNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

export interface PlacedNode<N> {
  readonly node: N;
  readonly x: number;
  readonly y: number;
}

export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  /** SVG path data. */
  readonly d: string;
}

export interface Layout<N> {
  readonly nodes: PlacedNode<N>[];
  readonly edges: PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_WIDTH = 230;
export const NODE_HEIGHT = 52;

/** Left to right: a SubTask's dependencies are to its left. */
export function layoutGraph<N extends GraphNode>(nodes: readonly N[]): Layout<N> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const node of nodes) for (const dep of node.dependsOn) if (ids.has(dep)) g.setEdge(dep, node.id);
  dagre.layout(g);
  const placed = nodes.map((node) => {
    const { x, y } = g.node(node.id);
    return { node, x: x - NODE_WIDTH / 2, y: y - NODE_HEIGHT / 2 };
  });
  const edges = g.edges().map((e) => {
    const points: readonly { x: number; y: number }[] = g.edge(e).points ?? [];
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    return { from: e.v, to: e.w, d };
  });
  const graph = g.graph();
  return { nodes: placed, edges, width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) };
}

/**
 * The SubTasks waiting, directly or through others, on `id` and not started: what a retry (or skip)
 * of `id` releases once it succeeds. In creation order.
 */
export function released<N extends GraphNode & { readonly status: string }>(nodes: readonly N[], id: string): N[] {
  const waiting = new Set([id]);
  const out: N[] = [];
  // Nodes are in creation order and dependencies point backwards, so one pass suffices; loop until stable in case.
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of nodes) {
      if (waiting.has(node.id) || node.status !== 'blocked') continue;
      if (node.dependsOn.some((dep) => waiting.has(dep))) {
        waiting.add(node.id);
        out.push(node);
        changed = true;
      }
    }
  }
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  return out.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}
