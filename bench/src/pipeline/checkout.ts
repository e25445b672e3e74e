// Which checkout of this repository the services are booted from: this one (the bench's own), or
// another built one (`compare --baseline <dir>`, `pipeline --checkout <dir>`) whose task-api,
// integration-worker and projection then run under this bench. Only their dist/ and node_modules/ are
// used: the phases, the client and the figures stay this checkout's.

import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PIPELINE_SERVICES = ['task-api', 'integration-worker', 'projection'] as const;
export type PipelineService = (typeof PIPELINE_SERVICES)[number];

export interface Checkout {
  /** Absolute path of the repository's root (in recorded figures relative to this checkout: asRecorded). */
  readonly root: string;
  /** What the report calls it: a label given on the command line, else the short commit. */
  readonly label: string;
}

/** The root of the checkout this bench was built in. */
export const THIS_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export const serviceEntry = (root: string, service: PipelineService) => join(root, 'services', service, 'dist', 'main.js');

/**
 * What a checkout lacks to boot `services`, as a sentence naming the missing file, or undefined when
 * it has it all. The services load their libraries from the checkout's own node_modules.
 */
export function missingBuild(root: string, services: readonly PipelineService[] = PIPELINE_SERVICES): string | undefined {
  if (!existsSync(root) || !statSync(root).isDirectory()) return `${root} is not a directory`;
  const needed = [...services.map((service) => serviceEntry(root, service)), join(root, 'node_modules')];
  const missing = needed.find((path) => !existsSync(path));
  return missing === undefined ? undefined : `${missing} is missing: run npm ci && npm run build in ${root}`;
}

/** `git -C <root> rev-parse --short HEAD`, or undefined when the directory is not a git checkout. */
export function shortCommit(root: string): string | undefined {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A checkout with its label: `label` if given (not blank), else its short commit, else its path. */
export function checkoutAt(root: string, label?: string): Checkout {
  const absolute = resolve(root);
  return { root: absolute, label: label?.trim() || (shortCommit(absolute) ?? absolute) };
}

/**
 * A checkout as the figures record it: its root relative to this checkout ('.' for this one,
 * '../wt-base' for a baseline beside it), so that no result names a path of the machine it ran on.
 */
export function asRecorded(checkout: Checkout): Checkout {
  return { ...checkout, root: relative(THIS_ROOT, checkout.root) || '.' };
}

let own: Checkout | undefined;

/** This checkout, labelled by its commit (its working tree may hold more than that commit). */
export function thisCheckout(): Checkout {
  return (own ??= checkoutAt(THIS_ROOT));
}
