// The deploy files as data: the Kubernetes documents of k8s/ as `kubectl apply -k k8s/` sends them
// (kustomization.yaml's resources, its images applied), those applied on their own beside them, and
// the compose file with its merge keys (`<<`) resolved. Every YAML file under k8s/ is one of these or
// named in NOT_MANIFESTS: a new manifest that nothing applies is a problem too.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** YAML files under k8s/ that hold no Kubernetes object, and what they are. */
export const NOT_MANIFESTS = {
  'k8s/nats/values.yaml': 'the values of the official NATS Helm chart',
};

/** Manifests that kustomization.yaml does not list, and why they are applied on their own. */
export const APPLIED_ON_THEIR_OWN = {
  'k8s/autoscaling.yaml': 'after the services booted once: the consumers KEDA reads must exist',
  'k8s/monitoring/service-monitor.yaml': 'only where the Prometheus operator (its CRD) runs',
};

/** A problem found in a deploy file; `field` is a path in the document, as `spec.replicas`. */
export function problem(file, at, field, message) {
  return { file, document: at?.index, kind: at?.value?.kind, name: at?.value?.metadata?.name, field, message };
}

const posix = (path) => path.split(sep).join('/');

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

/** The non-empty documents of one file, numbered from 1 in the file's order. */
function readDocuments(root, path, problems) {
  const file = posix(relative(root, path));
  const documents = [];
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    for (const error of doc.errors) problems.push(problem(file, undefined, undefined, `YAML: ${error.message}`));
    const value = doc.toJS();
    if (value != null) documents.push({ file, index: documents.length + 1, value });
  }
  return documents;
}

/** kustomize's `images` transformer: a container image named `name` becomes newName:newTag. */
function applyImages(value, images) {
  const pod = value?.spec?.template?.spec;
  for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    const name = String(container.image ?? '').replace(/[:@].*$/, '');
    const image = images.find((i) => i.name === name);
    if (image) container.image = `${image.newName ?? name}:${image.newTag ?? 'latest'}`;
  }
}

/** The resources of the kustomization in `dir`, a folder's own kustomization for a folder. */
function kustomize(root, dir, problems, seen) {
  const path = join(dir, 'kustomization.yaml');
  const file = posix(relative(root, path));
  if (!existsSync(path)) {
    problems.push(problem(file, undefined, undefined, 'missing: a folder among the resources needs its own kustomization.yaml'));
    return [];
  }
  const kustomization = parse(readFileSync(path, 'utf8')) ?? {};
  const documents = [];
  for (const [i, resource] of (kustomization.resources ?? []).entries()) {
    const target = join(dir, resource);
    if (!existsSync(target)) {
      problems.push(problem(file, undefined, `resources[${i}]`, `${resource} does not exist`));
    } else if (statSync(target).isDirectory()) {
      documents.push(...kustomize(root, target, problems, seen));
    } else {
      seen.add(posix(relative(root, target)));
      documents.push(...readDocuments(root, target, problems));
    }
  }
  for (const doc of documents) applyImages(doc.value, kustomization.images ?? []);
  return documents;
}

/**
 * Every Kubernetes document under `root`/k8s, each with `applied`: 'kustomization' (by
 * `kubectl apply -k k8s/`) or 'own' (APPLIED_ON_THEIR_OWN), and the problems of the listing.
 */
export function listManifests(root) {
  const problems = [];
  const seen = new Set();
  const documents = kustomize(root, join(root, 'k8s'), problems, seen).map((d) => ({ ...d, applied: 'kustomization' }));
  for (const file of Object.keys(APPLIED_ON_THEIR_OWN)) {
    if (!existsSync(join(root, file))) problems.push(problem(file, undefined, undefined, 'listed in APPLIED_ON_THEIR_OWN (scripts/deploy-check/manifests.js) but missing'));
  }
  for (const path of yamlFiles(join(root, 'k8s'))) {
    const file = posix(relative(root, path));
    if (file.endsWith('/kustomization.yaml') || seen.has(file) || file in NOT_MANIFESTS) continue;
    if (file in APPLIED_ON_THEIR_OWN) documents.push(...readDocuments(root, path, problems).map((d) => ({ ...d, applied: 'own' })));
    else problems.push(problem(file, undefined, undefined, 'applied by nothing: list it in k8s/kustomization.yaml, or in APPLIED_ON_THEIR_OWN of scripts/deploy-check/manifests.js with the reason'));
  }
  return { documents, problems };
}

/** docker-compose.yml under `root`, merge keys resolved as compose resolves them. */
export function readCompose(root) {
  return { file: 'docker-compose.yml', value: parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) };
}

/** The numeric `USER uid[:gid]` of the final stage of deploy/Dockerfile; undefined when not numeric. */
export function imageUser(root) {
  const text = readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8');
  const finalStage = text.slice(text.lastIndexOf('\nFROM '));
  const users = [...finalStage.matchAll(/^USER\s+(\S+)\s*$/gm)].map((m) => m[1]);
  const match = /^(\d+)(?::(\d+))?$/.exec(users.at(-1) ?? '');
  return match ? { uid: Number(match[1]), gid: match[2] === undefined ? undefined : Number(match[2]), raw: users.at(-1) } : { raw: users.at(-1) };
}
