// `read-side`: the reads of issue 11 §3 over a big read model. The projection boots on a database of
// its own; PostgreSQL writes `--tasks` Tasks of `--subtasks` SubTasks into its tables (read-side/
// load-rows.ts, not through the pipeline); then each kind of read (read-side/read-queries.ts) is timed
// over HTTP `--samples` times, one at a time, and the CSV export of a tenth of `--export-rows` rows and
// of `--export-rows`, each once, with the projection's memory sampled meanwhile.

import type { ReadSideOptions } from '../cli/command-line.js';
import { PipelineSystem } from '../pipeline/system.js';
import { memoryOf, resetPeak } from '../proc/memory.js';
import { loadRows } from '../read-side/load-rows.js';
import { readKinds } from '../read-side/read-queries.js';
import { num } from '../report/format.js';
import { table } from '../report/table.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { round, summarize } from '../stats/summary.js';
import { random } from '@vle/testing';

interface Timed {
  readonly ms: number;
  readonly status: number;
  readonly bytes: number;
}

async function timedGet(url: string, token: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status, bytes: body.byteLength };
}

/** A GET of an export, with the resident memory of process `pid` sampled every 50 ms while it streams. */
async function timedExport(url: string, token: string, pid: number | undefined): Promise<Timed & { rssBeforeMiB?: number; rssPeakMiB?: number }> {
  if (pid === undefined) return timedGet(url, token);
  resetPeak(pid);
  const before = memoryOf(pid)?.rssMiB;
  let peak = before ?? 0;
  const sampler = setInterval(() => {
    const m = memoryOf(pid);
    if (m) peak = Math.max(peak, m.rssMiB);
  }, 50);
  try {
    return { ...(await timedGet(url, token)), rssBeforeMiB: before, rssPeakMiB: round(peak) };
  } finally {
    clearInterval(sampler);
  }
}

export async function readSide(guard: RunGuard, o: ReadSideOptions, out: Output, progress: Progress): Promise<number> {
  // The projection's cap on an export's rows (PROJECTION_EXPORT_MAX_ROWS, 100,000 by default) raised to --export-rows.
  const system = await PipelineSystem.start(guard, { services: ['projection'], env: o.exportRows > 100_000 ? { PROJECTION_EXPORT_MAX_ROWS: String(o.exportRows) } : {} });
  const problems: string[] = [];
  try {
    const base = system.url('projection');
    const pid = system.of('projection')[0]!.process.pid;
    const now = Date.now();
    const loadStarted = performance.now();
    await loadRows({ databaseUrl: system.databaseUrl, schema: 'projection', tasks: o.tasks, subtasksPerTask: o.subtasks, layout: o.layout, now }, (done) => progress(`read-side: ${done} of ${o.tasks} Tasks written`));
    const loadS = round((performance.now() - loadStarted) / 1000);
    progress(`read-side: ${o.tasks} Tasks and ${o.tasks * o.subtasks} SubTasks in ${loadS} s; timing the reads…`);
    const rnd = random(20261202);
    const rows = [];
    for (const kind of readKinds(o.tasks, now)) {
      if (guard.stopping) break;
      for (let k = 0; k < 5; k++) await timedGet(`${base}${kind.path(k, rnd)}`, system.token);
      const times: number[] = [];
      const statuses = new Map<number, number>();
      for (let k = 0; k < o.samples; k++) {
        const t = await timedGet(`${base}${kind.path(k, rnd)}`, system.token);
        times.push(t.ms);
        statuses.set(t.status, (statuses.get(t.status) ?? 0) + 1);
      }
      const s = summarize(times);
      const bad = [...statuses].filter(([status]) => status !== 200);
      if (bad.length > 0) problems.push(`${kind.name}: answers ${bad.map(([status, n]) => `${n}× ${status}`).join(', ')}`);
      const row = { kind: kind.name, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max, targetP99Ms: kind.targetP99Ms, met: kind.targetP99Ms === undefined || s.p99 === undefined ? undefined : s.p99 <= kind.targetP99Ms && bad.length === 0 };
      rows.push(row);
      progress(`read-side: ${kind.name}: p50 ${num(s.p50)} ms, p99 ${num(s.p99)} ms`);
      out.json({ bench: 'read-side-kind', at: new Date().toISOString(), ...row });
    }
    // The export at a tenth of its size and at its size: flat memory is a peak that does not grow with the rows.
    const exports = [];
    for (const n of new Set([Math.max(1, Math.floor(o.exportRows / 10)), o.exportRows])) {
      const exported = await timedExport(`${base}/api/v1/tasks/export.csv?limit=${n}`, system.token, pid);
      if (exported.status !== 200) problems.push(`export of ${n} rows: answered ${exported.status}`);
      exports.push({ rows: n, seconds: round(exported.ms / 1000), mib: round(exported.bytes / 1048576), rssBeforeMiB: exported.rssBeforeMiB, rssPeakMiB: exported.rssPeakMiB });
    }
    out.report(
      [
        `\nreads over a read model of ${o.tasks} Tasks and ${o.tasks * o.subtasks} SubTasks (written in ${loadS} s), ${o.samples} samples each, one at a time`,
        table(['read', 'p50 ms', 'p99 ms', 'max ms', 'target p99 ms', 'met'], rows.map((r) => [r.kind, num(r.p50Ms), num(r.p99Ms), num(r.maxMs), r.targetP99Ms ?? '-', r.met === undefined ? '-' : r.met ? 'yes' : 'no'])),
        ...exports.map((e) => `CSV export of ${e.rows} rows: ${e.seconds} s, ${e.mib} MiB; projection RSS ${num(e.rssBeforeMiB)} MiB before, ${num(e.rssPeakMiB)} MiB at most while streaming`),
        `(target: ${o.exportRows} rows in ≤ 5 s, flat memory: the peak the same at a tenth of the rows)`,
        ...problems.map((p) => `PROBLEM: ${p}`),
      ].join('\n'),
    );
    out.json({ bench: 'read-side-summary', at: new Date().toISOString(), machine: machine(), options: o, loadSeconds: loadS, reads: rows, exports, problems });
    return problems.length === 0 ? 0 : EXIT.failed;
  } finally {
    await system.stop();
  }
}
