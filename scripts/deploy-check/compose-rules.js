// The rules of docker-compose.yml and its monitoring files that the Compose schema does not hold:
// SMTP_USER beside SMTP_PASSWORD, pinned images, Prometheus scraping every service's METRICS_PORT
// and loading the alert rules, Grafana reading that Prometheus and the dashboards' folder.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { problem } from './manifests.js';

export const PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';
export const GRAFANA_DATASOURCES = 'deploy/grafana/provisioning/datasources/prometheus.yml';
export const GRAFANA_DASHBOARDS = 'deploy/grafana/provisioning/dashboards/vle-tasks.yml';

/** A service's environment as a map; a name without a value (passed on from .env) maps to null. */
function environmentOf(service) {
  const environment = service.environment ?? {};
  if (!Array.isArray(environment)) return new Map(Object.entries(environment));
  return new Map(environment.map((entry) => (entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, null])));
}

function smtpProblems(file, name, environment) {
  if (!environment.has('SMTP_PASSWORD')) return [];
  const field = `services.${name}.environment.SMTP_PASSWORD`;
  if (!environment.has('SMTP_USER')) return [problem(file, undefined, field, 'SMTP_PASSWORD without SMTP_USER: the mail client sends no AUTH, and a relay answers every mail 530')];
  if ((environment.get('SMTP_PASSWORD') === null) !== (environment.get('SMTP_USER') === null)) {
    return [problem(file, undefined, field, 'SMTP_PASSWORD and SMTP_USER must be given the same way (both passed on from .env, or both set here)')];
  }
  return [];
}

/** Where a service mounts the bind source `source` (`./src:/target[:ro]`, or the long form). */
const mountTarget = (service, source) =>
  (service.volumes ?? [])
    .map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]))
    .find(([from]) => from?.replace(/\/$/, '') === source)?.[1];

function readYaml(root, file, problems) {
  if (!existsSync(join(root, file))) {
    problems.push(problem(file, undefined, undefined, 'missing'));
    return undefined;
  }
  return parse(readFileSync(join(root, file), 'utf8')) ?? {};
}

function prometheusProblems(root, services) {
  const problems = [];
  const config = readYaml(root, PROMETHEUS_CONFIG, problems);
  if (!config) return problems;
  const targets = (config.scrape_configs ?? []).flatMap((job, i) => (job.static_configs ?? []).flatMap((c) => (c.targets ?? []).map((target) => ({ target, job: job.job_name, i }))));
  for (const [name, service] of Object.entries(services)) {
    const port = environmentOf(service).get('METRICS_PORT');
    if (port == null) continue;
    if (!targets.some((t) => t.target === `${name}:${port}`)) problems.push(problem(PROMETHEUS_CONFIG, undefined, 'scrape_configs', `no job scrapes ${name}:${port} (the METRICS_PORT of compose service ${name})`));
  }
  for (const { target, i } of targets) {
    const host = target.slice(0, target.lastIndexOf(':'));
    if (host !== 'localhost' && !(host in services)) problems.push(problem(PROMETHEUS_CONFIG, undefined, `scrape_configs[${i}]`, `${target}: ${host} is no service of docker-compose.yml`));
  }
  if (!(config.rule_files ?? []).includes('alerts.yml')) problems.push(problem(PROMETHEUS_CONFIG, undefined, 'rule_files', 'must load alerts.yml (deploy/prometheus/alerts.yml)'));
  const prometheus = services.prometheus;
  if (!prometheus) return [...problems, problem('docker-compose.yml', undefined, 'services.prometheus', 'missing')];
  const folder = mountTarget(prometheus, './deploy/prometheus');
  if (!folder || !(prometheus.command ?? []).includes(`--config.file=${folder}/prometheus.yml`)) {
    problems.push(problem('docker-compose.yml', undefined, 'services.prometheus', `must mount ./deploy/prometheus and read ${folder ?? '<its mount>'}/prometheus.yml (--config.file), so that alerts.yml beside it is loaded`));
  }
  return problems;
}

function grafanaProblems(root, services) {
  const problems = [];
  const grafana = services.grafana;
  if (!grafana) return [problem('docker-compose.yml', undefined, 'services.grafana', 'missing')];
  if (mountTarget(grafana, './deploy/grafana/provisioning') !== '/etc/grafana/provisioning') problems.push(problem('docker-compose.yml', undefined, 'services.grafana.volumes', 'must mount ./deploy/grafana/provisioning at /etc/grafana/provisioning'));
  const datasources = readYaml(root, GRAFANA_DATASOURCES, problems);
  const url = datasources?.datasources?.find((d) => d.type === 'prometheus')?.url;
  if (datasources && url !== 'http://prometheus:9090') problems.push(problem(GRAFANA_DATASOURCES, undefined, 'datasources', `the prometheus data source must be http://prometheus:9090 (the compose service), not ${url}`));
  const dashboards = readYaml(root, GRAFANA_DASHBOARDS, problems);
  const path = dashboards?.providers?.[0]?.options?.path;
  const mounted = mountTarget(grafana, './deploy/grafana/dashboards');
  if (dashboards && (!mounted || path !== mounted)) problems.push(problem(GRAFANA_DASHBOARDS, undefined, 'providers[0].options.path', `${path} is not where docker-compose.yml mounts ./deploy/grafana/dashboards (${mounted ?? 'not mounted'})`));
  return problems;
}

/** Every rule above over the compose file read by readCompose(), its files under `root`. */
export function composeRuleProblems(root, compose) {
  const services = compose.value.services ?? {};
  const problems = [];
  for (const [name, service] of Object.entries(services)) {
    problems.push(...smtpProblems(compose.file, name, environmentOf(service)));
    const tag = /:([^:/]+)$/.exec(service.image ?? '')?.[1];
    if (service.image && !service.build && (!tag || tag === 'latest')) problems.push(problem(compose.file, undefined, `services.${name}.image`, `${service.image}: pin a tag`));
  }
  problems.push(...prometheusProblems(root, services), ...grafanaProblems(root, services));
  return problems;
}
