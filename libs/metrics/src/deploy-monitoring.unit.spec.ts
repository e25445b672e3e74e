// What an operator loads unchanged, the alert rules (deploy/prometheus/alerts.yml) and the Grafana
// dashboard (deploy/grafana/dashboards/vle-tasks.json): each expression parses as Prometheus's own
// editor parses PromQL (the lezer grammar of @prometheus-io/lezer-promql) and names only metrics
// vle-tasks declares (or the NATS exporter's); each rule and panel is complete.

import { parser } from '@prometheus-io/lezer-promql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectProcessMetrics, registry } from './metrics.js';

interface Rule {
  readonly alert?: string;
  readonly expr?: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly datasource?: { uid?: string };
  readonly targets?: ReadonlyArray<{ expr?: string; refId?: string }>;
  readonly gridPos?: { h: number; w: number; x: number; y: number };
}

const deploy = (path: string) => readFileSync(new URL(`../../../deploy/${path}`, import.meta.url), 'utf8');
const rules: Rule[] = (parse(deploy('prometheus/alerts.yml')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(deploy('grafana/dashboards/vle-tasks.json')) as { uid: string; panels: Panel[]; templating: { list: Array<{ name: string; type: string }> } };
const graphs = dashboard.panels.filter((p) => p.type !== 'row');

/** Grafana's variables in an expression, as Grafana gives them to Prometheus. */
const withGrafanaVariables = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m');

/** Metrics of other exporters the rules may use: prometheus-nats-exporter's -varz (deploy/prometheus/prometheus.yml). */
const EXTERNAL_METRICS = new Set(['nats_varz_jetstream_stats_storage', 'nats_varz_jetstream_config_max_storage']);

/** Where an expression does not parse (offsets), and the metric names it selects. */
function readPromql(expr: string): { errorsAt: number[]; metrics: string[] } {
  const errorsAt: number[] = [];
  const metrics = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errorsAt.push(node.from);
      else if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.add(expr.slice(node.from, node.to));
    },
  });
  return { errorsAt, metrics: [...metrics] };
}

async function undeclaredMetricsOf(metrics: readonly string[]): Promise<string[]> {
  const declared = await declaredMetrics();
  return metrics.filter((name) => !declared.has(name) && !EXTERNAL_METRICS.has(name));
}

async function declaredMetrics(): Promise<Set<string>> {
  collectProcessMetrics();
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe('the alert rules (deploy/prometheus/alerts.yml)', () => {
  it('find the syntax errors of PromQL, so that a broken rule fails this check', () => {
    expect(readPromql('sum by (queue) (rate(vle_jobs_failed_total[5m]))')).toEqual({ errorsAt: [], metrics: ['vle_jobs_failed_total'] });
    expect(readPromql('sum(rate(vle_jobs_failed_total[5m])').errorsAt).not.toEqual([]);
    expect(readPromql('max by (stream) (vle_consumer_pending) >').errorsAt).not.toEqual([]);
    expect(readPromql('rat(vle_jobs_failed_total[5m])').errorsAt).not.toEqual([]);
  });

  it('alert for each thing an operator must be woken for', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'VleTasksProjectionLagging',
        'VleTasksQueueNotDraining',
        'VleTasksDeadLettersGrowing',
        'VleTasksJetStreamAccountStoreNearLimit',
        'VleTasksJetStreamServerStoreNearLimit',
        'VleTasksSubTasksOverdue',
        'VleTasksIntegrationFailing',
      ]),
    );
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it.each(rules.map((r) => [r.alert ?? '(no name)', r] as const))('%s parses, names declared metrics and says what to do', async (_, rule) => {
    expect(rule.alert).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(typeof rule.expr).toBe('string');
    const { errorsAt, metrics } = readPromql(rule.expr!);
    expect(errorsAt, `${rule.alert}: PromQL does not parse at ${errorsAt.join(', ')}: ${rule.expr}`).toEqual([]);
    expect(await undeclaredMetricsOf(metrics), `${rule.alert} names metrics nothing exports`).toEqual([]);
    if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
  });
});

describe('the Grafana dashboard (deploy/grafana/dashboards/vle-tasks.json)', () => {
  it('has a fixed uid, its Prometheus as a variable, and panels that do not overlap', () => {
    expect(dashboard.uid).toBe('vle-tasks');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    const cells = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      if (!gridPos) throw new Error(`${title} has no gridPos`);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it.each(graphs.map((p) => [p.title, p] as const))('%s: its queries parse and name declared metrics', async (title, panel) => {
    expect(panel.datasource?.uid).toBe('${datasource}');
    expect(panel.targets?.length, `${title} has no query`).toBeGreaterThan(0);
    for (const { expr } of panel.targets!) {
      const { errorsAt, metrics } = readPromql(withGrafanaVariables(expr!));
      expect(errorsAt, `${title}: PromQL does not parse at ${errorsAt.join(', ')}: ${expr}`).toEqual([]);
      expect(metrics.length, `${title}: ${expr} selects no metric`).toBeGreaterThan(0);
      expect(await undeclaredMetricsOf(metrics), `${title} names metrics nothing exports`).toEqual([]);
    }
  });
});
