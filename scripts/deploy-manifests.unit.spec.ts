// The ways of running it elsewhere, read as data (neither can run here: no Docker engine, no cluster):
// the Kubernetes manifests hang together (kustomization lists every file, each Service selects a
// Deployment and names one of its ports, the Ingress sends every path to the projection, which
// forwards commands to the task-api Service), and compose publishes the projection as the one origin
// with task-api inside its network only (README, "One origin").

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const k8s = `${root}k8s/`;

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: any;
}

const read = (file: string): Manifest[] => parseAllDocuments(readFileSync(`${k8s}${file}`, 'utf8')).map((doc) => doc.toJS() as Manifest).filter(Boolean);
const kustomization = parse(readFileSync(`${k8s}kustomization.yaml`, 'utf8')) as { resources: string[] };
const applied = kustomization.resources.flatMap(read);
const ofKind = (kind: string) => applied.filter((m) => m.kind === kind);
const containerOf = (deployment: Manifest) => deployment.spec.template.spec.containers[0];
const envOf = (deployment: Manifest): Record<string, string | undefined> => Object.fromEntries((containerOf(deployment).env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value]));

describe('the Kubernetes manifests', () => {
  it('are all applied by kustomization.yaml, but for the autoscaling applied after the first boot', () => {
    const files = readdirSync(k8s).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'autoscaling.yaml').sort());
    for (const manifest of applied) if (manifest.kind !== 'Namespace') expect([manifest.kind, manifest.metadata.name, manifest.metadata.namespace]).toEqual([manifest.kind, manifest.metadata.name, 'vle-tasks']);
  });

  it('give every Service a Deployment it selects, and a port of that Deployment', () => {
    for (const service of ofKind('Service')) {
      const deployment = ofKind('Deployment').find((d) => Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect(deployment, `the Deployment of Service ${service.metadata.name}`).toBeDefined();
      const ports = containerOf(deployment!).ports as { name: string; containerPort: number }[];
      for (const port of service.spec.ports) expect(ports.map((p) => p.name)).toContain(port.targetPort);
      // The port the service listens on (PORT) is the one the container declares.
      expect(ports.map((p) => String(p.containerPort))).toContain(envOf(deployment!).PORT);
    }
  });

  it('route every path of the Ingress to the projection, which forwards the commands to the task-api Service', () => {
    const [ingress, ...others] = ofKind('Ingress');
    expect(others).toEqual([]);
    const paths = ingress!.spec.rules.flatMap((rule: any) => rule.http.paths);
    expect(paths).toEqual([{ path: '/', pathType: 'Prefix', backend: { service: { name: 'projection', port: { name: 'http' } } } }]);
    const projectionService = ofKind('Service').find((s) => s.metadata.name === 'projection')!;
    expect(projectionService.spec.ports.map((p: { name: string }) => p.name)).toContain('http');

    const projection = ofKind('Deployment').find((d) => d.metadata.name === 'projection')!;
    const target = new URL(envOf(projection).TASK_API_URL!);
    const taskApiService = ofKind('Service').find((s) => s.metadata.name === target.hostname);
    expect(taskApiService?.spec.selector).toEqual({ 'app.kubernetes.io/name': 'task-api' });
    expect(taskApiService!.spec.ports.map((p: { port: number }) => String(p.port))).toContain(target.port);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, { environment: Record<string, string>; ports?: string[] }> };

  it('publishes the projection as the origin, forwarding to task-api inside the network, and task-api not at all', () => {
    const { projection, 'task-api': taskApi } = compose.services;
    expect(projection!.ports).toEqual([`127.0.0.1:${projection!.environment.PORT}:${projection!.environment.PORT}`]);
    expect(taskApi!.ports).toBeUndefined();
    expect(projection!.environment.TASK_API_URL).toBe(`http://task-api:${taskApi!.environment.PORT}`);
  });
});
