#!/usr/bin/env node
// `npm run deploy:check` (part of `npm test`): the deploy files an operator applies unchanged stay
// valid, offline. Every Kubernetes document of k8s/ (as kustomization.yaml lists them, and those
// applied on their own) against the Kubernetes, KEDA and Prometheus operator schemas, unknown
// fields included (scripts/deploy-check/schemas.js); docker-compose.yml against the Compose
// specification; then the rules of README "Operator notes" (kubernetes-rules.js, compose-rules.js).
// Each problem names the file, the document, its kind and name, and the field.
//   node scripts/deploy-check.js [--root <folder holding k8s/, deploy/ and docker-compose.yml>]

import { fileURLToPath } from 'node:url';
import { composeRuleProblems } from './deploy-check/compose-rules.js';
import { kubernetesRuleProblems } from './deploy-check/kubernetes-rules.js';
import { imageUser, listManifests, readCompose } from './deploy-check/manifests.js';
import { composeSchemaProblems, schemaProblems, strictFieldProblems } from './deploy-check/schemas.js';

export { SERVICE_DRAIN_SECONDS } from './deploy-check/kubernetes-rules.js';

const repository = fileURLToPath(new URL('..', import.meta.url));

/** One line per problem: `file, document N (Kind name): field: message`. */
export function formatProblem(p) {
  const where = p.document === undefined ? p.file : `${p.file}, document ${p.document} (${p.kind ?? 'no kind'} ${p.name ?? '(no name)'})`;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** Every problem of the deploy files under `root`, each once. */
export async function deployCheck(root = repository) {
  const { documents, problems } = listManifests(root);
  const schema = await schemaProblems(documents);
  const compose = readCompose(root);
  const all = [...problems, ...schema, ...strictFieldProblems(documents), ...kubernetesRuleProblems(documents, imageUser(root)), ...composeSchemaProblems(compose), ...composeRuleProblems(root, compose)];
  // A wrong type is found by both the schema and the types: say it once, in the schema's words.
  const seen = new Set(schema.map((p) => `${p.file}|${p.document}|${p.field}`));
  const lines = all.filter((p) => !(p.message.startsWith('not in the schema of') && seen.has(`${p.file}|${p.document}|${p.field}`))).map(formatProblem);
  return { documents: documents.length, problems: [...new Set(lines)] };
}

async function main(argv) {
  const at = argv.indexOf('--root');
  const root = at === -1 ? repository : argv[at + 1];
  const { documents, problems } = await deployCheck(root);
  if (problems.length > 0) {
    for (const line of problems) console.error(`deploy:check: ${line}`);
    console.error(`deploy:check: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the deploy files (k8s/, docker-compose.yml, deploy/)`);
    process.exit(1);
  }
  console.log(`deploy:check: ${documents} Kubernetes documents and docker-compose.yml are valid (schemas, Pod Security, scaling, disruption budgets, shutdown, metrics, SMTP)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
