// Which cluster call serves which endpoint of the schema subset. Parameters arrive as the strings of
// the query or form body, already checked by checkPveParameters; booleans are 1/0/true/false/yes/no/on/off.

import type { CommandMeta } from './cluster-context.js';
import type { PveCluster } from './pve-cluster.js';
import type { TaskType } from './pve-tasks.js';

export type Params = Readonly<Record<string, string>>;

export interface Route {
  /** The task a write starts (its failure draw uses it), none for a read. */
  readonly task?: TaskType;
  readonly run: (cluster: PveCluster, params: Params, meta: CommandMeta) => unknown;
}

const bool = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : /^(1|true|yes|on)$/i.test(value));
const int = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
const ref = (p: Params) => ({ node: p.node!, vmid: Number(p.vmid) });

export const ROUTES: Readonly<Record<string, Route>> = {
  'GET /version': { run: (c) => c.version() },
  'GET /nodes': { run: (c) => c.nodes() },
  'GET /nodes/{node}/status': { run: (c, p) => c.nodeStatus(p.node!) },
  'GET /nodes/{node}/qemu': { run: (c, p) => c.vmList(p.node!) },
  'GET /nodes/{node}/qemu/{vmid}/config': { run: (c, p) => c.vmConfig(ref(p)) },
  'GET /nodes/{node}/qemu/{vmid}/status/current': { run: (c, p) => c.vmStatus(ref(p)) },
  'GET /nodes/{node}/tasks/{upid}/status': { run: (c, p) => c.taskStatus(p.node!, p.upid!) },
  'GET /cluster/nextid': { run: (c, p) => c.nextId(int(p.vmid)) },
  'GET /cluster/resources': { run: (c, p) => c.resources(p.type) },
  'POST /nodes/{node}/qemu/{vmid}/clone': {
    task: 'qmclone',
    run: (c, p, meta) =>
      c.clone(
        {
          ...ref(p),
          newid: Number(p.newid),
          name: p.name,
          description: p.description,
          pool: p.pool,
          full: bool(p.full),
          target: p.target,
          storage: p.storage,
          format: p.format,
        },
        meta,
      ),
  },
  'DELETE /nodes/{node}/qemu/{vmid}': { task: 'qmdestroy', run: (c, p, meta) => c.destroy(ref(p), meta) },
  'POST /nodes/{node}/qemu/{vmid}/status/start': { task: 'qmstart', run: (c, p, meta) => c.start(ref(p), meta) },
  'POST /nodes/{node}/qemu/{vmid}/status/stop': { task: 'qmstop', run: (c, p, meta) => c.stop(ref(p), meta) },
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': { task: 'qmshutdown', run: (c, p, meta) => c.shutdown(ref(p), meta) },
  'POST /nodes/{node}/qemu/{vmid}/status/reset': { task: 'qmreset', run: (c, p, meta) => c.resetVm(ref(p), meta) },
  'POST /nodes/{node}/qemu/{vmid}/migrate': {
    task: 'qmigrate',
    run: (c, p, meta) => c.migrate({ ...ref(p), target: p.target!, online: bool(p.online), withLocalDisks: bool(p['with-local-disks']) }, meta),
  },
};
