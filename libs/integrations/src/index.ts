export { checkPveParameters, matchPveEndpoint, pveEndpoints, pvePathExists, PVE_SCHEMA_VERSION, type MatchedEndpoint, type PveEndpoint, type PveMethod } from './proxmox/schema/pve-schema.js';
export { PveClient, type PveClientOptions } from './proxmox/pve-client.js';
export { classifyPveMessage, isPveError, PveError, PveTaskFailed, type PveClassification, type PveErrorInit, type PveErrorKind } from './proxmox/pve-error.js';
export { checkFingerprint, normalizeFingerprint } from './proxmox/pve-tls.js';
export { encodePveParams, type PveParams } from './proxmox/pve-transport.js';
export { isTaskSuccess, parseUpid, type PveUpid } from './proxmox/upid.js';
export type { WaitForTaskOptions } from './proxmox/wait-for-task.js';
export type * from './proxmox/pve-types.js';
export * from './proxmox-jobs/vm-jobs.js';
