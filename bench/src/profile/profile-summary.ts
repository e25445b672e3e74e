// Self time of a V8 .cpuprofile (from --cpu-prof) by package/file and by function, so that the
// bottlenecks can be named without a profiler UI.

export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  /** µs sampled, and of them not idle. */
  readonly totalUs: number;
  readonly busyUs: number;
  readonly byGroup: readonly [string, number][];
  readonly byFunction: readonly [string, number][];
}

/** node_modules/<pkg> (scoped too), a workspace package, node: internals, or the function kind. */
export function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const workspace = /\/(libs|services|bench)\/([^/]+)\//.exec(url);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

export function summarizeProfile(profile: CpuProfile, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let totalUs = 0;
  let idleUs = 0;
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, time] of self) {
    totalUs += time;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') {
      idleUs += time;
      continue;
    }
    const group = groupOf(frame.url, frame.functionName);
    groups.set(group, (groups.get(group) ?? 0) + time);
    const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|libs|services|bench)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}  ${where}`.trimEnd();
    functions.set(key, (functions.get(key) ?? 0) + time);
  }
  const topOf = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalUs, busyUs: totalUs - idleUs, byGroup: topOf(groups), byFunction: topOf(functions) };
}

export function formatProfileSummary(name: string, s: ProfileSummary): string {
  const pct = (t: number) => `${((100 * t) / Math.max(1, s.busyUs)).toFixed(1).padStart(5)}%`;
  return [
    `== ${name}: ${(s.totalUs / 1e6).toFixed(1)} s sampled, ${(s.busyUs / 1e6).toFixed(2)} s busy`,
    '-- self time by package',
    ...s.byGroup.map(([group, t]) => `${pct(t)}  ${group}`),
    '-- self time by function',
    ...s.byFunction.map(([fn, t]) => `${pct(t)}  ${fn}`),
  ].join('\n');
}
