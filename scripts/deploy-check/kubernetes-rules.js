// The rules of the Kubernetes manifests that no schema holds (README, "Operator notes"): the
// restricted Pod Security level, the image's user, no `replicas` where an autoscaler scales, a
// PodDisruptionBudget that lets drains proceed, a preStop delay inside the grace period, the metrics
// port, and SMTP_USER beside SMTP_PASSWORD.

import { problem } from './manifests.js';

/** The longest drain of a service after SIGTERM: SHUTDOWN_TIMEOUT_MS of libs/service-kit/src/bootstrap.ts. */
export const SERVICE_DRAIN_SECONDS = 15;

/** Kubernetes' own default of terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

/** The volume types the restricted level allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const byKind = (documents, kind) => documents.filter((d) => d.value.kind === kind);
const namespaceOf = (doc) => doc.value.metadata?.namespace ?? 'default';
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** Each container list of a pod spec with its field path. */
function containersOf(pod, base) {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((list) => (pod[list] ?? []).map((c, i) => ({ container: c, path: `${base}.${list}[${i}]` })));
}

function restrictedProblems(doc, pod, base, image) {
  const out = [];
  const at = (field, message) => out.push(problem(doc.file, doc, field, `${message} (restricted Pod Security level)`));
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[host] === true) at(`${base}.${host}`, 'must not be true');
  for (const [i, volume] of (pod.volumes ?? []).entries()) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!RESTRICTED_VOLUMES.has(type)) at(`${base}.volumes[${i}].${type}`, `a ${type} volume is not allowed`);
  }
  const podContext = pod.securityContext ?? {};
  for (const { container, path } of containersOf(pod, base)) {
    const context = container.securityContext ?? {};
    const field = `${path}.securityContext`;
    if (context.privileged === true) at(`${field}.privileged`, 'must not be true');
    if (context.allowPrivilegeEscalation !== false) at(`${field}.allowPrivilegeEscalation`, 'must be false');
    if (!(context.capabilities?.drop ?? []).includes('ALL')) at(`${field}.capabilities.drop`, 'must include ALL');
    for (const added of context.capabilities?.add ?? []) if (added !== 'NET_BIND_SERVICE') at(`${field}.capabilities.add`, `${added} may not be added (only NET_BIND_SERVICE)`);
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true || context.runAsNonRoot === false) at(`${field}.runAsNonRoot`, 'must be true, here or in the pod securityContext');
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') at(`${field}.seccompProfile.type`, 'must be RuntimeDefault or Localhost, here or in the pod securityContext');
    if (context.procMount !== undefined && context.procMount !== 'Default') at(`${field}.procMount`, 'must be Default');
    for (const [i, port] of (container.ports ?? []).entries()) if (port.hostPort !== undefined) at(`${path}.ports[${i}].hostPort`, 'host ports are not allowed');
    if (context.readOnlyRootFilesystem !== true) out.push(problem(doc.file, doc, `${field}.readOnlyRootFilesystem`, 'must be true: the services write no file (mount an emptyDir where one must)'));
    const uid = context.runAsUser ?? podContext.runAsUser;
    const gid = context.runAsGroup ?? podContext.runAsGroup;
    if (uid === 0) at(`${field}.runAsUser`, 'must not be 0');
    if (uid === undefined) out.push(problem(doc.file, doc, `${base}.securityContext.runAsUser`, `must be set, to the image's user (deploy/Dockerfile USER ${image.raw ?? '(none)'})`));
    else if (image.uid !== undefined && uid !== image.uid) out.push(problem(doc.file, doc, `${base}.securityContext.runAsUser`, `${uid} is not the image's user ${image.uid} (deploy/Dockerfile USER ${image.raw})`));
    if (gid !== undefined && image.gid !== undefined && gid !== image.gid) out.push(problem(doc.file, doc, `${base}.securityContext.runAsGroup`, `${gid} is not the image's group ${image.gid} (deploy/Dockerfile USER ${image.raw})`));
  }
  return out;
}

/** The Deployments an HPA or a KEDA ScaledObject scales, with the fewest replicas each keeps. */
function scaledDeployments(documents, problems) {
  const scaled = new Map();
  const scalers = [...byKind(documents, 'HorizontalPodAutoscaler'), ...byKind(documents, 'ScaledObject')];
  for (const scaler of scalers) {
    const ref = scaler.value.spec?.scaleTargetRef ?? {};
    const target = byKind(documents, ref.kind ?? 'Deployment').find((d) => d.value.metadata?.name === ref.name && namespaceOf(d) === namespaceOf(scaler));
    if (!target || target.value.kind !== 'Deployment') {
      problems.push(problem(scaler.file, scaler, 'spec.scaleTargetRef.name', `names no Deployment of these manifests (${ref.kind ?? 'Deployment'} ${ref.name})`));
      continue;
    }
    const min = scaler.value.kind === 'ScaledObject' ? (scaler.value.spec.minReplicaCount ?? 0) : (scaler.value.spec.minReplicas ?? 1);
    scaled.set(target, { scaler, min });
  }
  return scaled;
}

function replicaProblems(deployment, scaling, pdbs) {
  const out = [];
  const replicas = deployment.value.spec?.replicas;
  if (scaling && replicas !== undefined) {
    out.push(problem(deployment.file, deployment, 'spec.replicas', `set while ${scaling.scaler.value.kind} ${scaling.scaler.value.metadata.name} (${scaling.scaler.file}) scales it: every apply would reset the count; remove it`));
  }
  const fewest = scaling ? scaling.min : (replicas ?? 1);
  if (!scaling && fewest <= 1) return out;
  const labels = deployment.value.spec?.template?.metadata?.labels;
  const budgets = pdbs.filter((p) => namespaceOf(p) === namespaceOf(deployment) && p.value.spec?.selector?.matchLabels && matches(p.value.spec.selector.matchLabels, labels));
  if (budgets.length !== 1) {
    out.push(problem(deployment.file, deployment, 'spec.template.metadata.labels', `${budgets.length === 0 ? 'no' : budgets.length} PodDisruptionBudget${budgets.length === 1 ? '' : 's'} select its pods; one must, as it runs ${scaling ? 'autoscaled' : `${replicas} replicas`}`));
    return out;
  }
  const [budget] = budgets;
  const { minAvailable, maxUnavailable } = budget.value.spec;
  if ((minAvailable === undefined) === (maxUnavailable === undefined)) out.push(problem(budget.file, budget, 'spec', 'needs exactly one of minAvailable and maxUnavailable'));
  if (Number.isInteger(minAvailable) && minAvailable >= fewest) {
    out.push(problem(budget.file, budget, 'spec.minAvailable', `${minAvailable} refuses every eviction while ${deployment.value.metadata.name} runs ${fewest} replica${fewest === 1 ? '' : 's'} (node drains would hang): use maxUnavailable`));
  }
  return out;
}

/** The seconds of a preStop hook that waits: the sleep action, or `sleep N` run in the container. */
function preStopSeconds(container) {
  const hook = container.lifecycle?.preStop;
  if (Number.isInteger(hook?.sleep?.seconds)) return hook.sleep.seconds;
  const command = (hook?.exec?.command ?? []).join(' ');
  const match = /(?:^|\s|\/)sleep\s+(\d+)\b/.exec(command);
  return match ? Number(match[1]) : undefined;
}

function shutdownProblems(deployment, pod) {
  const out = [];
  const grace = pod.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  for (const [i, container] of (pod.containers ?? []).entries()) {
    const seconds = preStopSeconds(container);
    const field = `spec.template.spec.containers[${i}].lifecycle.preStop`;
    if (seconds === undefined || seconds < 1) out.push(problem(deployment.file, deployment, field, 'must wait (sleep) before SIGTERM, so that the endpoints drop the pod before it stops serving'));
    else if (grace <= seconds + SERVICE_DRAIN_SECONDS) out.push(problem(deployment.file, deployment, 'spec.template.spec.terminationGracePeriodSeconds', `${grace} s is not more than the preStop ${seconds} s + the service's drain ${SERVICE_DRAIN_SECONDS} s`));
  }
  return out;
}

/** A container's environment as the kubelet builds it: envFrom ConfigMaps (their data), then env. */
function environmentOf(container, configMaps) {
  const environment = new Map();
  for (const source of container.envFrom ?? []) {
    const data = source.configMapRef && configMaps.find((c) => c.value.metadata?.name === source.configMapRef.name)?.value.data;
    for (const [name, value] of Object.entries(data ?? {})) environment.set(name, { value, path: undefined });
  }
  for (const [i, entry] of (container.env ?? []).entries()) environment.set(entry.name, { ...entry, index: i });
  return environment;
}

function smtpProblems(deployment, container, path, environment) {
  const password = environment.get('SMTP_PASSWORD');
  const user = environment.get('SMTP_USER');
  if (!password) return [];
  const field = password.index === undefined ? `${path}.envFrom` : `${path}.env[${password.index}]`;
  if (!user) return [problem(deployment.file, deployment, field, 'SMTP_PASSWORD without SMTP_USER: the mail client sends no AUTH, and a relay answers every mail 530')];
  const [a, b] = [password.valueFrom?.secretKeyRef, user.valueFrom?.secretKeyRef];
  if (a && b && (a.name !== b.name || Boolean(a.optional) !== Boolean(b.optional))) {
    return [problem(deployment.file, deployment, field, `SMTP_PASSWORD and SMTP_USER come from Secrets ${a.name}${a.optional ? ' (optional)' : ''} and ${b.name}${b.optional ? ' (optional)' : ''}: take both from one Secret, both required or both optional`)];
  }
  return [];
}

function metricsProblems(deployment, container, path, environment, services) {
  const out = [];
  const at = (field, message) => out.push(problem(deployment.file, deployment, field, message));
  const port = Number(environment.get('METRICS_PORT')?.value);
  if (!Number.isInteger(port)) return [problem(deployment.file, deployment, `${path}.env`, 'METRICS_PORT is not set (config.yaml or env): the service would serve no /metrics')];
  const named = (container.ports ?? []).find((p) => p.name === 'metrics');
  if (named?.containerPort !== port) at(`${path}.ports`, `needs a port named metrics on METRICS_PORT ${port}`);
  const annotations = deployment.value.spec?.template?.metadata?.annotations ?? {};
  const expected = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' };
  for (const [key, value] of Object.entries(expected)) if (annotations[key] !== value) at(`spec.template.metadata.annotations[${JSON.stringify(key)}]`, `must be ${JSON.stringify(value)}`);
  const labels = deployment.value.spec?.template?.metadata?.labels;
  for (const service of services.filter((s) => namespaceOf(s) === namespaceOf(deployment) && matches(s.value.spec?.selector, labels))) {
    if (!(service.value.spec.ports ?? []).some((p) => p.targetPort === 'metrics' || p.targetPort === port)) out.push(problem(service.file, service, 'spec.ports', `needs a port to the metrics port of ${deployment.value.metadata.name}`));
  }
  return out;
}

function serviceMonitorProblems(documents) {
  const out = [];
  const services = byKind(documents, 'Service');
  for (const monitor of byKind(documents, 'ServiceMonitor')) {
    const namespaces = monitor.value.spec?.namespaceSelector?.matchNames ?? [namespaceOf(monitor)];
    const selected = services.filter((s) => namespaces.includes(namespaceOf(s)) && matches(monitor.value.spec?.selector?.matchLabels, s.value.metadata?.labels));
    if (selected.length === 0) out.push(problem(monitor.file, monitor, 'spec.selector', 'selects no Service of these manifests'));
    for (const [i, endpoint] of (monitor.value.spec?.endpoints ?? []).entries()) {
      for (const service of selected) if (!(service.value.spec?.ports ?? []).some((p) => p.name === endpoint.port)) out.push(problem(monitor.file, monitor, `spec.endpoints[${i}].port`, `Service ${service.value.metadata.name} has no port named ${endpoint.port}`));
    }
  }
  return out;
}

/** Every rule above over the documents of k8s/; `image` is imageUser() of deploy/Dockerfile. */
export function kubernetesRuleProblems(documents, image) {
  const problems = [];
  if (image.uid === undefined) problems.push(problem('deploy/Dockerfile', undefined, 'USER', `the final stage's USER must be numeric (uid or uid:gid), so that the kubelet can check runAsNonRoot; it is ${image.raw ?? 'missing'}`));
  const namespaces = byKind(documents, 'Namespace');
  const configMaps = byKind(documents, 'ConfigMap');
  const services = byKind(documents, 'Service');
  const pdbs = byKind(documents, 'PodDisruptionBudget');
  const scaled = scaledDeployments(documents, problems);
  for (const deployment of byKind(documents, 'Deployment')) {
    const pod = deployment.value.spec?.template?.spec ?? {};
    const namespace = namespaces.find((n) => n.value.metadata?.name === namespaceOf(deployment));
    if (namespace?.value.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
      problems.push(problem(namespace?.file ?? deployment.file, namespace ?? deployment, 'metadata.labels["pod-security.kubernetes.io/enforce"]', `the namespace ${namespaceOf(deployment)} must enforce the restricted Pod Security level`));
    }
    problems.push(...restrictedProblems(deployment, pod, 'spec.template.spec', image));
    problems.push(...replicaProblems(deployment, scaled.get(deployment), pdbs));
    problems.push(...shutdownProblems(deployment, pod));
    for (const [i, container] of (pod.containers ?? []).entries()) {
      const path = `spec.template.spec.containers[${i}]`;
      const environment = environmentOf(container, configMaps);
      problems.push(...smtpProblems(deployment, container, path, environment));
      problems.push(...metricsProblems(deployment, container, path, environment, services));
    }
  }
  problems.push(...serviceMonitorProblems(documents));
  return problems;
}
