export { checkPveParameters, matchPveEndpoint, pveEndpoints, pvePathExists, PVE_SCHEMA_VERSION, type MatchedEndpoint, type PveEndpoint, type PveMethod } from './proxmox/schema/pve-schema.js';
