// deploy:check over the repository's deploy files (they pass) and over copies of them broken on
// purpose: each break must fail the check with a line naming the file, the document, its kind and
// name, and the field; the command exits 1 and prints them.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { deployCheck, SERVICE_DRAIN_SECONDS } from './deploy-check.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const trees: string[] = [];

/** A copy of the deploy files (k8s/, deploy/, docker-compose.yml) to break. */
function copyOfDeployFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-check-'));
  trees.push(dir);
  for (const entry of ['k8s', 'deploy', 'docker-compose.yml']) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  return dir;
}

/** Rewrites the Kubernetes documents of `file` (comments are lost, which the check does not read). */
function editManifests(dir: string, file: string, edit: (docs: any[]) => void): void {
  const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
    .map((d) => d.toJS())
    .filter((v) => v != null);
  edit(docs);
  writeFileSync(join(dir, file), docs.map((d) => stringify(d)).join('---\n'));
}

/** Edits docker-compose.yml keeping its anchors and merge keys. */
function editCompose(dir: string, edit: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), { merge: true });
  edit(doc);
  writeFileSync(join(dir, 'docker-compose.yml'), doc.toString());
}

const container = (deployment: any) => deployment.spec.template.spec.containers[0];

afterEach(() => {
  for (const dir of trees.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('deploy:check', () => {
  it('passes the deploy files of the repository', async () => {
    const result = await deployCheck();
    expect(result.problems).toEqual([]);
    expect(result.documents).toBeGreaterThanOrEqual(26);
  });

  it('names the file, document, kind and field of a value the Kubernetes, KEDA or Prometheus operator schema refuses', async () => {
    const dir = copyOfDeployFiles();
    editManifests(dir, 'k8s/task-api.yaml', ([deployment, service]) => {
      deployment.spec.revisionHistoryLimit = 'ten';
      delete service.spec.ports[1].port;
    });
    editManifests(dir, 'k8s/autoscaling.yaml', ([clone]) => {
      clone.spec.maxReplicaCount = 'four';
    });
    editManifests(dir, 'k8s/monitoring/service-monitor.yaml', ([monitor]) => {
      monitor.spec.endpoints[0].interval = 15;
    });
    const { problems } = await deployCheck(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        'k8s/task-api.yaml, document 1 (Deployment task-api): spec.revisionHistoryLimit: must be integer',
        'k8s/task-api.yaml, document 2 (Service task-api): spec.ports[1].port: must have required property port',
        'k8s/autoscaling.yaml, document 1 (ScaledObject vm-clone-worker): spec.maxReplicaCount: must be integer',
        'k8s/monitoring/service-monitor.yaml, document 1 (ServiceMonitor vle-tasks): spec.endpoints[0].interval: must be string',
      ]),
    );
    // Found by the schema and by the types, said once.
    expect(problems.filter((p) => p.includes('spec.revisionHistoryLimit'))).toHaveLength(1);
  });

  it('refuses a field the kind does not have, which the Kubernetes schemas let through (kubectl apply does not)', async () => {
    const dir = copyOfDeployFiles();
    // tsc names the first unknown field of each document: one a document here.
    editManifests(dir, 'k8s/scheduler.yaml', ([deployment]) => {
      deployment.spec.replica = 2;
    });
    editManifests(dir, 'k8s/projection.yaml', ([deployment]) => {
      container(deployment).lifecycle.preStop.sleep = { second: 10 };
    });
    editManifests(dir, 'k8s/autoscaling.yaml', (docs) => {
      docs[3].spec.minReplica = docs[3].spec.minReplicas;
    });
    const { problems } = await deployCheck(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^k8s\/scheduler\.yaml, document 1 \(Deployment scheduler\): spec\.replica: not in the schema of Deployment: .*'"replica"' does not exist/),
        expect.stringMatching(/^k8s\/autoscaling\.yaml, document 4 \(HorizontalPodAutoscaler task-api\): spec\.minReplica: not in the schema of HorizontalPodAutoscaler/),
        expect.stringMatching(/^k8s\/projection\.yaml, document 1 \(Deployment projection\): spec\.template\.spec\.containers\[0\]\.lifecycle\.preStop\.sleep\.second: not in the schema of Deployment/),
        // The sleep action without its `seconds`: the schema's required field, and the rule's wait.
        'k8s/projection.yaml, document 1 (Deployment projection): spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds: must have required property seconds',
        'k8s/projection.yaml, document 1 (Deployment projection): spec.template.spec.containers[0].lifecycle.preStop: must wait (sleep) before SIGTERM, so that the endpoints drop the pod before it stops serving',
      ]),
    );
  });

  it('refuses a kind it has no schema for, and a manifest that nothing applies', async () => {
    const dir = copyOfDeployFiles();
    writeFileSync(join(dir, 'k8s/widget.yaml'), stringify({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'vle-tasks' } }));
    writeFileSync(join(dir, 'k8s/forgotten.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'f' } }));
    const kustomization = parseDocument(readFileSync(join(dir, 'k8s/kustomization.yaml'), 'utf8'));
    kustomization.addIn(['resources'], 'widget.yaml');
    writeFileSync(join(dir, 'k8s/kustomization.yaml'), kustomization.toString());
    const { problems } = await deployCheck(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^k8s\/widget\.yaml, document 1 \(Widget w\): apiVersion: no schema for apiVersion "example.org\/v1" kind "Widget"/),
        expect.stringMatching(/^k8s\/forgotten\.yaml: applied by nothing/),
      ]),
    );
  });

  it('holds every pod to the restricted Pod Security level, as the image user of deploy/Dockerfile', async () => {
    const dir = copyOfDeployFiles();
    editManifests(dir, 'k8s/namespace.yaml', ([namespace]) => {
      namespace.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    });
    editManifests(dir, 'k8s/task-api.yaml', ([deployment]) => {
      const pod = deployment.spec.template.spec;
      delete pod.securityContext.seccompProfile;
      pod.securityContext.runAsUser = 1001;
      pod.volumes = [{ name: 'host', hostPath: { path: '/var/run' } }];
      const context = container(deployment).securityContext;
      delete context.allowPrivilegeEscalation;
      context.capabilities = { drop: ['NET_RAW'], add: ['SYS_ADMIN'] };
      context.readOnlyRootFilesystem = false;
    });
    editManifests(dir, 'k8s/projection.yaml', ([deployment]) => {
      deployment.spec.template.spec.securityContext.runAsNonRoot = false;
    });
    const { problems } = await deployCheck(dir);
    const task = 'k8s/task-api.yaml, document 1 (Deployment task-api): spec.template.spec';
    expect(problems).toEqual(
      expect.arrayContaining([
        'k8s/namespace.yaml, document 1 (Namespace vle-tasks): metadata.labels["pod-security.kubernetes.io/enforce"]: the namespace vle-tasks must enforce the restricted Pod Security level',
        `${task}.volumes[0].hostPath: a hostPath volume is not allowed (restricted Pod Security level)`,
        `${task}.containers[0].securityContext.allowPrivilegeEscalation: must be false (restricted Pod Security level)`,
        `${task}.containers[0].securityContext.capabilities.drop: must include ALL (restricted Pod Security level)`,
        `${task}.containers[0].securityContext.capabilities.add: SYS_ADMIN may not be added (only NET_BIND_SERVICE) (restricted Pod Security level)`,
        `${task}.containers[0].securityContext.seccompProfile.type: must be RuntimeDefault or Localhost, here or in the pod securityContext (restricted Pod Security level)`,
        `${task}.containers[0].securityContext.readOnlyRootFilesystem: must be true: the services write no file (mount an emptyDir where one must)`,
        `${task}.securityContext.runAsUser: 1001 is not the image's user 1000 (deploy/Dockerfile USER 1000:1000)`,
        'k8s/projection.yaml, document 1 (Deployment projection): spec.template.spec.containers[0].securityContext.runAsNonRoot: must be true, here or in the pod securityContext (restricted Pod Security level)',
      ]),
    );
  });

  it('wants the image user by number', async () => {
    const dir = copyOfDeployFiles();
    const dockerfile = join(dir, 'deploy/Dockerfile');
    writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8').replace(/^USER .*$/m, 'USER node'));
    const { problems } = await deployCheck(dir);
    expect(problems).toContain("deploy/Dockerfile: USER: the final stage's USER must be numeric (uid or uid:gid), so that the kubelet can check runAsNonRoot; it is node");
  });

  it('refuses replicas on an autoscaled Deployment, a scaler that names none, and disruption budgets that are missing or block drains', async () => {
    const dir = copyOfDeployFiles();
    editManifests(dir, 'k8s/vm-action-worker.yaml', ([deployment]) => {
      deployment.spec.replicas = 2;
    });
    editManifests(dir, 'k8s/integration-worker.yaml', (docs) => {
      docs.pop();
    });
    editManifests(dir, 'k8s/vm-clone-worker.yaml', ([, , budget]) => {
      delete budget.spec.maxUnavailable;
      budget.spec.minAvailable = 1;
    });
    editManifests(dir, 'k8s/autoscaling.yaml', (docs) => {
      docs[3].spec.scaleTargetRef.name = 'task-apl';
    });
    const { problems } = await deployCheck(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        'k8s/vm-action-worker.yaml, document 1 (Deployment vm-action-worker): spec.replicas: set while ScaledObject vm-action-worker (k8s/autoscaling.yaml) scales it: every apply would reset the count; remove it',
        'k8s/integration-worker.yaml, document 1 (Deployment integration-worker): spec.template.metadata.labels: no PodDisruptionBudgets select its pods; one must, as it runs autoscaled',
        'k8s/vm-clone-worker.yaml, document 3 (PodDisruptionBudget vm-clone-worker): spec.minAvailable: 1 refuses every eviction while vm-clone-worker runs 1 replica (node drains would hang): use maxUnavailable',
        'k8s/autoscaling.yaml, document 4 (HorizontalPodAutoscaler task-api): spec.scaleTargetRef.name: names no Deployment of these manifests (Deployment task-apl)',
      ]),
    );
  });

  it('wants a preStop wait inside the grace period, the metrics port scraped, and SMTP_USER beside SMTP_PASSWORD', async () => {
    const dir = copyOfDeployFiles();
    editManifests(dir, 'k8s/task-api.yaml', ([deployment]) => {
      deployment.spec.template.spec.terminationGracePeriodSeconds = 25;
    });
    editManifests(dir, 'k8s/integration-worker.yaml', ([deployment]) => {
      const env = container(deployment).env as { name: string }[];
      env.splice(
        env.findIndex((e) => e.name === 'SMTP_USER'),
        1,
      );
    });
    editManifests(dir, 'k8s/config.yaml', ([configMap]) => {
      delete configMap.data.METRICS_PORT;
      configMap.data.SMTP_PASSWORD = 'in-the-config-map';
    });
    const { problems } = await deployCheck(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        `k8s/task-api.yaml, document 1 (Deployment task-api): spec.template.spec.terminationGracePeriodSeconds: 25 s is not more than the preStop 10 s + the service's drain ${SERVICE_DRAIN_SECONDS} s`,
        'k8s/task-api.yaml, document 1 (Deployment task-api): spec.template.spec.containers[0].env: METRICS_PORT is not set (config.yaml or env): the service would serve no /metrics',
        expect.stringMatching(/^k8s\/integration-worker\.yaml, document 1 \(Deployment integration-worker\): spec\.template\.spec\.containers\[0\]\.env\[\d+\]: SMTP_PASSWORD without SMTP_USER/),
        // From the ConfigMap (envFrom), where no Deployment sets SMTP_USER.
        'k8s/scheduler.yaml, document 1 (Deployment scheduler): spec.template.spec.containers[0].envFrom: SMTP_PASSWORD without SMTP_USER: the mail client sends no AUTH, and a relay answers every mail 530',
      ]),
    );
  });

  it('checks the metrics annotations and Service port against METRICS_PORT', async () => {
    const dir = copyOfDeployFiles();
    editManifests(dir, 'k8s/task-api.yaml', ([deployment, service]) => {
      deployment.spec.template.metadata.annotations['prometheus.io/port'] = '9090';
      service.spec.ports.pop();
    });
    const { problems } = await deployCheck(dir);
    expect(problems).toEqual([
      'k8s/task-api.yaml, document 1 (Deployment task-api): spec.template.metadata.annotations["prometheus.io/port"]: must be "9464"',
      'k8s/task-api.yaml, document 2 (Service task-api): spec.ports: needs a port to the metrics port of task-api',
      'k8s/monitoring/service-monitor.yaml, document 1 (ServiceMonitor vle-tasks): spec.endpoints[0].port: Service task-api has no port named metrics',
    ]);
  });

  it('holds docker-compose.yml to the Compose specification and its rules: SMTP, pinned images, Prometheus and Grafana', async () => {
    const dir = copyOfDeployFiles();
    editCompose(dir, (doc) => {
      doc.setIn(['services', 'nats', 'enviroment'], doc.createNode({}));
      doc.deleteIn(['x-integrations', 'SMTP_USER']);
      doc.setIn(['services', 'grafana', 'image'], 'grafana/grafana:latest');
    });
    const prometheus = join(dir, 'deploy/prometheus/prometheus.yml');
    const config = parseDocument(readFileSync(prometheus, 'utf8'));
    config.deleteIn(['scrape_configs', 1]);
    config.deleteIn(['rule_files']);
    writeFileSync(prometheus, config.toString());
    const provider = join(dir, 'deploy/grafana/provisioning/dashboards/vle-tasks.yml');
    writeFileSync(provider, readFileSync(provider, 'utf8').replace('path: /etc/grafana/dashboards', 'path: /var/lib/grafana/dashboards'));
    const { problems } = await deployCheck(dir);
    expect(problems).toEqual([
      'docker-compose.yml: services.nats.enviroment: not a field of this object in the schema',
      'docker-compose.yml: services.integration-worker.environment.SMTP_PASSWORD: SMTP_PASSWORD without SMTP_USER: the mail client sends no AUTH, and a relay answers every mail 530',
      'docker-compose.yml: services.grafana.image: grafana/grafana:latest: pin a tag',
      'deploy/prometheus/prometheus.yml: scrape_configs: no job scrapes projection:9464 (the METRICS_PORT of compose service projection)',
      'deploy/prometheus/prometheus.yml: rule_files: must load alerts.yml (deploy/prometheus/alerts.yml)',
      'deploy/grafana/provisioning/dashboards/vle-tasks.yml: providers[0].options.path: /var/lib/grafana/dashboards is not where docker-compose.yml mounts ./deploy/grafana/dashboards (/etc/grafana/dashboards)',
    ]);
  });

  it('runs as `npm run deploy:check`: exit 0 on the repository, 1 with the problems on a broken copy', () => {
    const script = join(root, 'scripts/deploy-check.js');
    const good = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^deploy:check: \d+ Kubernetes documents and docker-compose.yml are valid/);

    const dir = copyOfDeployFiles();
    editManifests(dir, 'k8s/projection.yaml', ([deployment]) => {
      container(deployment).securityContxt = container(deployment).securityContext;
      delete container(deployment).securityContext;
    });
    const bad = spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('deploy:check: k8s/projection.yaml, document 1 (Deployment projection): spec.template.spec.containers[0].securityContxt: not in the schema of Deployment');
    expect(bad.stderr).toMatch(/deploy:check: \d+ problems in the deploy files/);
  });

  it('counts the drain that libs/service-kit allows a service', () => {
    const bootstrap = readFileSync(join(root, 'libs/service-kit/src/bootstrap.ts'), 'utf8');
    const ms = Number(/const SHUTDOWN_TIMEOUT_MS = ([\d_]+);/.exec(bootstrap)?.[1]?.replaceAll('_', ''));
    expect(SERVICE_DRAIN_SECONDS * 1000).toBe(ms);
  });
});
