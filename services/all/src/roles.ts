// The bootstrap of every service, by name. Each service package exports `bootstrap` (a
// ServiceBootstrap of @vle/service-kit) from its src/index.ts.

import { bootstrap as integrationWorker } from '@vle/integration-worker';
import { bootstrap as projection } from '@vle/projection';
import { bootstrap as sandbox } from '@vle/sandbox';
import { bootstrap as scheduler } from '@vle/scheduler';
import type { ServiceBootstrap, ServiceName } from '@vle/service-kit';
import { bootstrap as taskApi } from '@vle/task-api';
import { bootstrap as vmActionWorker } from '@vle/vm-action-worker';
import { bootstrap as vmCloneWorker } from '@vle/vm-clone-worker';

/**
 * In boot order: the sandbox first (the workers' external systems), then task-api (which provisions
 * the streams), the projection, and the services that consume jobs or publish commands.
 */
export const BOOTSTRAPS: ReadonlyArray<readonly [ServiceName, ServiceBootstrap]> = [
  ['sandbox', sandbox],
  ['task-api', taskApi],
  ['projection', projection],
  ['scheduler', scheduler],
  ['vm-clone-worker', vmCloneWorker],
  ['vm-action-worker', vmActionWorker],
  ['integration-worker', integrationWorker],
];
