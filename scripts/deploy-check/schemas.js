// The deploy files against their published schemas, offline: the JSON schemas of the Kubernetes
// OpenAPI and of the KEDA and Prometheus operator CRDs, precompiled in kubernetes-models,
// @kubernetes-models/keda and @kubernetes-models/prometheus-operator (versions in package-lock.json),
// and the Compose specification's schema as dclint ships it (dclint/schemas/compose.schema.json).
//
// The Kubernetes schemas allow properties they do not declare (the API server prunes them), so a
// misspelt field would pass them; `kubectl apply` refuses one (strict field validation). The same
// packages' TypeScript types declare every field, so the documents are also typechecked as object
// literals of their kind's type, where tsc names each property the kind does not have.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { problem } from './manifests.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** The package holding the models of an API group; the core group's and the built-in ones: kubernetes-models. */
const MODEL_PACKAGES = { 'keda.sh': '@kubernetes-models/keda', 'monitoring.coreos.com': '@kubernetes-models/prometheus-operator' };

/** The module of a kind's model, as `kubernetes-models/apps/v1/Deployment`; undefined for a malformed one. */
export function modelModule(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${MODEL_PACKAGES[group] ?? 'kubernetes-models'}/${apiVersion}/${kind}`;
}

/** A JSON pointer of ajv as a field path: /spec/containers/0/name as spec.containers[0].name. */
export function fieldPath(pointer, extra) {
  const keys = pointer.split('/').slice(1).map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (extra !== undefined) keys.push(extra);
  return keys.reduce((path, key) => {
    if (/^\d+$/.test(key)) return `${path}[${key}]`;
    if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
    return `${path}[${JSON.stringify(key)}]`;
  }, '');
}

const ajvProblem = (file, at, error) => {
  const missing = error.keyword === 'required' ? error.params.missingProperty : error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
  const detail = error.keyword === 'enum' ? ` (${error.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})` : '';
  const message = error.keyword === 'additionalProperties' ? 'not a field of this object in the schema' : `${error.message}${detail}`;
  return problem(file, at, fieldPath(error.instancePath, missing) || '(document)', message);
};

/** The schema problems of each document, by its kind's model; a kind with no model is one too. */
export async function schemaProblems(documents) {
  const problems = [];
  for (const doc of documents) {
    const { apiVersion, kind } = doc.value;
    const module = modelModule(apiVersion, kind);
    let Model;
    try {
      Model = module && (await import(module))[kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(problem(doc.file, doc, 'apiVersion', `no schema for apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)} (kubernetes-models and its KEDA and Prometheus operator packages have none)`));
      continue;
    }
    try {
      new Model(doc.value).validate();
    } catch (error) {
      if (!Array.isArray(error.errors)) throw error;
      for (const e of error.errors) problems.push(ajvProblem(doc.file, doc, e));
    }
  }
  return problems;
}

const pointerKey = (key) => String(key).replaceAll('~', '~0').replaceAll('/', '~1');

/** `value` as TypeScript source, one property a line, and the field path of each line. */
function literal(value, pointer, indent, lines, paths) {
  const pad = '  '.repeat(indent);
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    const at = `${pointer}/${pointerKey(key)}`;
    const head = Array.isArray(value) ? pad : `${pad}${JSON.stringify(key)}: `;
    if (child !== null && typeof child === 'object') {
      lines.push(`${head}${Array.isArray(child) ? '[' : '{'}`);
      paths.push(fieldPath(at));
      literal(child, at, indent + 1, lines, paths);
      lines.push(`${pad}${Array.isArray(child) ? ']' : '}'},`);
    } else {
      lines.push(`${head}${JSON.stringify(child)},`);
    }
    paths.push(fieldPath(at));
  }
}

/**
 * The fields the kinds' TypeScript types do not have (or of the wrong type), from one tsc run over
 * all documents. Documents without a model are left to schemaProblems.
 */
export function strictFieldProblems(documents) {
  const lines = [];
  const paths = [];
  const owners = [];
  const typed = documents.filter((d) => modelModule(d.value.apiVersion, d.value.kind));
  typed.forEach((doc, i) => {
    const module = modelModule(doc.value.apiVersion, doc.value.kind);
    lines.push(`import type { I${doc.value.kind} as T${i} } from ${JSON.stringify(module)};`, `export const d${i}: T${i} = {`);
    paths.push('(document)', '(document)');
    literal(doc.value, '', 1, lines, paths);
    lines.push('};');
    paths.push('(document)');
    while (owners.length < lines.length) owners.push(doc);
  });
  if (typed.length === 0) return [];
  // Inside the repository's node_modules, so that the model packages resolve; a folder per run.
  const cache = join(repo, 'node_modules', '.cache', 'deploy-check');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'run-'));
  try {
    writeFileSync(join(dir, 'manifests.ts'), `${lines.join('\n')}\n`);
    const compilerOptions = { strict: true, noEmit: true, module: 'preserve', moduleResolution: 'bundler', target: 'es2023', skipLibCheck: true, types: [] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['manifests.ts'] }));
    const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
    if (run.error) throw run.error;
    const output = `${run.stdout}${run.stderr}`;
    const problems = [];
    for (const [, line, message] of output.matchAll(/^manifests\.ts\((\d+),\d+\): error TS\d+: (.*)$/gm)) {
      const at = Number(line) - 1;
      problems.push(problem(owners[at].file, owners[at], paths[at], `not in the schema of ${owners[at].value.kind}: ${message}`));
    }
    if (run.status !== 0 && problems.length === 0) throw new Error(`tsc failed without a finding:\n${output}`);
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Compose specification's JSON schema (draft-07) as dclint ships it. */
function composeSchema() {
  const { $schema, ...schema } = JSON.parse(readFileSync(join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json'), 'utf8'));
  // `$schema` names draft-07 by an address ajv does not know; draft-07 is ajv's own.
  void $schema;
  return schema;
}

let validateCompose;

/** The problems of the compose file against the Compose specification. */
export function composeSchemaProblems(compose) {
  validateCompose ??= new Ajv({ allErrors: true, strict: false }).compile(composeSchema());
  if (validateCompose(compose.value)) return [];
  return validateCompose.errors.map((e) => ajvProblem(compose.file, undefined, e));
}
