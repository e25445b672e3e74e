// A thin, typed client of the Proxmox VE API (schema 9.1.3) over API-token authentication. Each
// method is one request; the calls that start tasks return the UPID and are never retried here.

import { inspect } from 'node:util';
import { PveError } from './pve-error.js';
import { PveTransport, pvePath } from './pve-transport.js';
import type {
  PveCloneOptions,
  PveDeleteOptions,
  PveMigrateOptions,
  PveNodeStatus,
  PveNodeSummary,
  PveResetOptions,
  PveResource,
  PveShutdownOptions,
  PveStartOptions,
  PveStopOptions,
  PveTaskStatus,
  PveVersion,
  PveVmListEntry,
  PveVmResource,
  PveVmStatus,
} from './pve-types.js';
import { parseUpid } from './upid.js';
import { waitForTask, type WaitForTaskOptions } from './wait-for-task.js';

export interface PveClientOptions {
  /** https://pve1:8006, or a prefix such as http://127.0.0.1:3009/pve; /api2/json is appended. */
  readonly baseUrl: string;
  /** USER@REALM!TOKENID */
  readonly tokenId: string;
  readonly tokenSecret: string;
  /** PEM of a CA to trust instead of the system roots. */
  readonly ca?: string | Buffer;
  /** SHA-256 of the server certificate ("AA:BB:…"), trusted instead of any CA. */
  readonly fingerprint?: string;
  /** Per request; default 30 000. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

// pve-access-control: user `[^\s:/]+` (may hold '@'), realm and token name `[A-Za-z][A-Za-z0-9.\-_]+`.
const TOKEN_ID = /^[^\s:/=]+@[A-Za-z][A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]+$/;

export class PveClient {
  readonly baseUrl: string;
  readonly tokenId: string;
  readonly #transport: PveTransport;

  constructor(options: PveClientOptions) {
    // The value is not echoed: a secret pasted into it by mistake would end up in a log.
    if (!TOKEN_ID.test(options.tokenId)) throw new TypeError('tokenId is not USER@REALM!TOKENID');
    if (!options.tokenSecret || /[\s]/.test(options.tokenSecret)) throw new TypeError('tokenSecret is empty or holds whitespace');
    this.baseUrl = options.baseUrl;
    this.tokenId = options.tokenId;
    this.#transport = new PveTransport({
      baseUrl: options.baseUrl,
      authorization: `PVEAPIToken=${options.tokenId}=${options.tokenSecret}`,
      ca: options.ca,
      fingerprint: options.fingerprint,
      timeoutMs: options.timeoutMs ?? 30_000,
      userAgent: options.userAgent ?? 'vle-tasks-pve-client',
    });
  }

  version(): Promise<PveVersion> {
    return this.#transport.request('GET', '/version');
  }

  /** A free VMID, or checks that `vmid` is free (kind 'vmid_taken' if not). Reserves nothing. */
  async nextId(vmid?: number): Promise<number> {
    const id = Number(await this.#transport.request<string | number>('GET', '/cluster/nextid', { vmid }));
    if (!Number.isInteger(id)) throw new TypeError(`nextid answered a non-integer '${id}'`);
    return id;
  }

  clusterResources(type?: 'vm' | 'node' | 'storage'): Promise<PveResource[]> {
    return this.#transport.request('GET', '/cluster/resources', { type });
  }

  /** The guest's row, whose `node` is where it is now (migration moves it); undefined if no such VMID. */
  async findVm(vmid: number): Promise<PveVmResource | undefined> {
    const rows = await this.clusterResources('vm');
    return rows.find((row): row is PveVmResource => (row.type === 'qemu' || row.type === 'lxc') && row.vmid === vmid && typeof row.node === 'string');
  }

  listVms(node: string): Promise<PveVmListEntry[]> {
    return this.#transport.request('GET', pvePath`/nodes/${node}/qemu`);
  }

  nodes(): Promise<PveNodeSummary[]> {
    return this.#transport.request('GET', '/nodes');
  }

  nodeStatus(node: string): Promise<PveNodeStatus> {
    return this.#transport.request('GET', pvePath`/nodes/${node}/status`);
  }

  vmStatus(node: string, vmid: number): Promise<PveVmStatus> {
    return this.#transport.request('GET', pvePath`/nodes/${node}/qemu/${vmid}/status/current`);
  }

  vmConfig(node: string, vmid: number): Promise<Record<string, unknown>> {
    return this.#transport.request('GET', pvePath`/nodes/${node}/qemu/${vmid}/config`);
  }

  /** UPID of qmclone. The new VM carries `lock: clone` until the task ends. */
  cloneVm(node: string, vmid: number, options: PveCloneOptions): Promise<string> {
    return this.#transport.request('POST', pvePath`/nodes/${node}/qemu/${vmid}/clone`, { ...options });
  }

  deleteVm(node: string, vmid: number, { purge, destroyUnreferencedDisks, skiplock }: PveDeleteOptions = {}): Promise<string> {
    return this.#transport.request('DELETE', pvePath`/nodes/${node}/qemu/${vmid}`, { purge, 'destroy-unreferenced-disks': destroyUnreferencedDisks, skiplock });
  }

  startVm(node: string, vmid: number, { timeout, skiplock }: PveStartOptions = {}): Promise<string> {
    return this.#transport.request('POST', pvePath`/nodes/${node}/qemu/${vmid}/status/start`, { timeout, skiplock });
  }

  stopVm(node: string, vmid: number, { timeout, overruleShutdown, keepActive, skiplock }: PveStopOptions = {}): Promise<string> {
    return this.#transport.request('POST', pvePath`/nodes/${node}/qemu/${vmid}/status/stop`, { timeout, 'overrule-shutdown': overruleShutdown, keepActive, skiplock });
  }

  shutdownVm(node: string, vmid: number, { timeout, forceStop, keepActive, skiplock }: PveShutdownOptions = {}): Promise<string> {
    return this.#transport.request('POST', pvePath`/nodes/${node}/qemu/${vmid}/status/shutdown`, { timeout, forceStop, keepActive, skiplock });
  }

  /** Fails with kind 'not_running' on a stopped VM. */
  resetVm(node: string, vmid: number, { skiplock }: PveResetOptions = {}): Promise<string> {
    return this.#transport.request('POST', pvePath`/nodes/${node}/qemu/${vmid}/status/reset`, { skiplock });
  }

  migrateVm(node: string, vmid: number, { target, online, withLocalDisks, targetstorage, bwlimit }: PveMigrateOptions): Promise<string> {
    return this.#transport.request('POST', pvePath`/nodes/${node}/qemu/${vmid}/migrate`, { target, online, 'with-local-disks': withLocalDisks, targetstorage, bwlimit });
  }

  /** Asks the node named in the UPID; a malformed UPID is a permanent bad_request, sent nowhere. */
  async taskStatus(upid: string, signal?: AbortSignal): Promise<PveTaskStatus> {
    return this.#transport.request('GET', taskStatusPath(upid), {}, signal);
  }

  /** Polls until the task stops: resolves on OK / WARNINGS: N, rejects with PveTaskFailed otherwise. */
  async waitForTask(upid: string, options: WaitForTaskOptions = {}): Promise<PveTaskStatus> {
    const path = taskStatusPath(upid);
    return waitForTask(upid, (signal) => this.taskStatus(upid, signal), path, options);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#transport.close();
  }

  toString(): string {
    return `PveClient(${this.baseUrl}, ${this.tokenId})`;
  }

  toJSON(): Record<string, string> {
    return { baseUrl: this.baseUrl, tokenId: this.tokenId };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function taskStatusPath(upid: string): string {
  try {
    return pvePath`/nodes/${parseUpid(upid).node}/tasks/${upid}/status`;
  } catch (error) {
    const message = (error as Error).message;
    throw new PveError({ status: 0, reason: 'invalid UPID', message, method: 'GET', path: '/nodes/{node}/tasks/{upid}/status', kind: 'bad_request', transient: false, responseCode: 'PVE_UPID' });
  }
}
