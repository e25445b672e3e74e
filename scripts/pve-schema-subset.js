// Derives libs/integrations/src/proxmox/schema/pve-api-9.1.3.json from the official Proxmox VE API
// schema (pve-docs api-viewer/apidata.js, as plain JSON): only the endpoints vle-tasks calls or
// simulates. Run by hand when the pinned PVE version changes:
//   node scripts/pve-schema-subset.js <apidata.json> <pve version>
// Tests and the sandbox read the derived file only; the full schema is not part of this repository.

import { readFileSync, writeFileSync } from 'node:fs';

export const ENDPOINTS = [
  'GET /version',
  'GET /nodes',
  'GET /nodes/{node}/status',
  'GET /nodes/{node}/qemu',
  'GET /nodes/{node}/qemu/{vmid}/config',
  'GET /nodes/{node}/qemu/{vmid}/status/current',
  'POST /nodes/{node}/qemu/{vmid}/clone',
  'DELETE /nodes/{node}/qemu/{vmid}',
  'POST /nodes/{node}/qemu/{vmid}/status/start',
  'POST /nodes/{node}/qemu/{vmid}/status/stop',
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown',
  'POST /nodes/{node}/qemu/{vmid}/status/reset',
  'POST /nodes/{node}/qemu/{vmid}/migrate',
  'GET /nodes/{node}/tasks/{upid}/status',
  'GET /cluster/nextid',
  'GET /cluster/resources',
];

const [source, version] = process.argv.slice(2);
if (!source || !version) {
  console.error('usage: node scripts/pve-schema-subset.js <apidata.json> <pve version>');
  process.exit(2);
}
const byPath = new Map();
const walk = (nodes) => nodes.forEach((n) => (byPath.set(n.path, n), walk(n.children ?? [])));
const root = JSON.parse(readFileSync(source, 'utf8'));
walk(Array.isArray(root) ? root : [root]);

const endpoints = {};
for (const endpoint of ENDPOINTS) {
  const [method, path] = endpoint.split(' ');
  const info = byPath.get(path)?.info?.[method];
  if (!info) throw new Error(`${endpoint} is not in ${source}`);
  const { parameters, returns, allowtoken, proxyto, protected: isProtected, description, name } = info;
  endpoints[endpoint] = { name, description, allowtoken, proxyto, protected: isProtected, parameters, returns };
}
const out = new URL(`../libs/integrations/src/proxmox/schema/pve-api-${version}.json`, import.meta.url);
const document = {
  source: `Proxmox VE API schema, pve-docs ${version} (api-viewer/apidata.js), endpoints used by vle-tasks only`,
  version,
  endpoints,
};
writeFileSync(out, `${JSON.stringify(document, null, 1)}\n`);
console.log(`wrote ${Object.keys(endpoints).length} endpoints to ${out.pathname}`);
