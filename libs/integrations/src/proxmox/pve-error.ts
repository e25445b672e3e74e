// Errors of the Proxmox VE client, classified by the server's message (reference §1.5): pveproxy
// reports most refusals as 500 with a `die` text, so the status code alone says little. The job
// runtime reads `permanent` and `responseCode` by shape, without importing this library.

import type { JobFailure } from '@vle/domain';

export type PveErrorKind =
  /** "VM is locked (clone)": another task holds the guest. */
  | 'locked'
  /** "can't lock file '/var/lock/qemu-server/lock-N.conf' - got timeout". */
  | 'lock_timeout'
  /** "can't lock file '…pve-storage-…' - got timeout": parallel clones on one storage. */
  | 'storage_lock'
  /** "unable to create VM N: config file already exists": a newid race; pick another ID. */
  | 'config_exists'
  /** "VM N already exists" (nextid?vmid=N, clone): the ID is taken; pick another. */
  | 'vmid_taken'
  /** "Configuration file '…/N.conf' does not exist": missing, or on another node. */
  | 'not_found'
  /** "VM N already running": the state is already reached. */
  | 'already_running'
  /** "VM N not running". */
  | 'not_running'
  /** "VM N is running - destroy failed". */
  | 'running'
  /** HA-managed without purge, protection mode. */
  | 'precondition'
  /** 400 parameter errors, 501, refused clone variants. */
  | 'bad_request'
  /** 401 */
  | 'auth'
  /** 403 */
  | 'permission'
  /** 595/596/597/599: pveproxy could not reach the node it proxies to. */
  | 'node_unreachable'
  /** No HTTP answer: connection refused or reset, DNS. */
  | 'network'
  /** No answer in time. Ambiguous for a write: the server may have done the work. */
  | 'timeout'
  /** The server's certificate failed verification or the pinned fingerprint. */
  | 'tls'
  | 'unknown';

export interface PveClassification {
  readonly kind: PveErrorKind;
  readonly transient: boolean;
}

const MESSAGE_TABLE: readonly (readonly [RegExp, PveErrorKind, boolean])[] = [
  [/can't lock file '[^']*pve-storage-[^']*' - got timeout/, 'storage_lock', true],
  [/can't lock file '[^']*' - got timeout/, 'lock_timeout', true],
  [/\bVM is locked\b|\bVM \d+ is locked\b/, 'locked', true],
  [/unable to create VM \d+: config file already exists/, 'config_exists', true],
  [/\bVM \d+ already exists\b/, 'vmid_taken', true],
  [/Configuration file '[^']*' does not exist|unable to find configuration file for VM \d+|\bno such VM\b/i, 'not_found', false],
  [/\bVM \d+ already running\b/, 'already_running', false],
  [/\bVM \d+ not running\b/, 'not_running', false],
  [/\bVM \d+ is running\b/, 'running', false],
  [/used in HA resources and purge parameter not set|protection mode enabled/, 'precondition', false],
  [/can't clone VM to node|parameter '[^']+' not allowed|Linked clone feature is not supported/, 'bad_request', false],
];

const PROXY_STATUSES = new Set([595, 596, 597, 599]);

/**
 * The kind of a Proxmox error and whether asking again can succeed. `status` is the HTTP status (a
 * task's exitstatus is classified as 500: it is a `die` in the worker); `errors` are the
 * per-parameter messages of a 400. Unknown 5xx is transient (the job runtime bounds the attempts;
 * failing a lab for a hiccup costs more than one more try), unknown 4xx permanent.
 */
export function classifyPveMessage(status: number, message: string, errors?: Readonly<Record<string, string>>): PveClassification {
  if (status === 401) return { kind: 'auth', transient: false };
  if (status === 403) return { kind: 'permission', transient: false };
  if (PROXY_STATUSES.has(status)) return { kind: 'node_unreachable', transient: true };
  const text = [message, ...Object.values(errors ?? {})].join('\n');
  for (const [pattern, kind, transient] of MESSAGE_TABLE) {
    if (pattern.test(text)) return { kind, transient };
  }
  if (status === 400 || status === 501) return { kind: 'bad_request', transient: false };
  if (status >= 500) return { kind: 'unknown', transient: true };
  return { kind: 'unknown', transient: false };
}

export interface PveErrorInit {
  /** HTTP status; 0 when no HTTP answer arrived (network error, timeout, TLS). */
  readonly status: number;
  /** HTTP reason phrase, or the error code of a failure without an answer (ECONNREFUSED). */
  readonly reason: string;
  readonly message: string;
  readonly errors?: Readonly<Record<string, string>>;
  readonly method: string;
  /** Below /api2/json, without query string. */
  readonly path: string;
  readonly kind: PveErrorKind;
  readonly transient: boolean;
  readonly responseCode: string;
}

/** Anything the Proxmox VE API refused or could not be asked. Carries no credentials. */
export class PveError extends Error implements JobFailure {
  declare readonly name: string;
  readonly status: number;
  readonly reason: string;
  readonly errors?: Readonly<Record<string, string>>;
  readonly method: string;
  readonly path: string;
  readonly kind: PveErrorKind;
  /** Asking again (later, or with a fresh VMID) can succeed. For 'timeout' the first call may have succeeded too. */
  readonly transient: boolean;
  /** `!transient`, read by the job runtime's `isPermanent`. */
  readonly permanent: boolean;
  /** PVE_<status>, PVE_TASK, PVE_TIMEOUT, PVE_NETWORK or PVE_TLS, read by `responseCodeOf`. */
  readonly responseCode: string;

  constructor(init: PveErrorInit) {
    super(init.message.replace(/\n+$/, ''));
    this.status = init.status;
    this.reason = init.reason;
    if (init.errors) this.errors = init.errors;
    this.method = init.method;
    this.path = init.path;
    this.kind = init.kind;
    this.transient = init.transient;
    this.permanent = !init.transient;
    this.responseCode = init.responseCode;
  }

  /** The error of an HTTP answer, classified by its message. */
  static fromResponse(method: string, path: string, status: number, reason: string, message: string, errors?: Record<string, string>): PveError {
    const text = message.replace(/\n+$/, '') || reason;
    // "Parameter verification failed." says nothing on its own: the per-parameter reasons become part
    // of the message, which is what a SubTask records as Proxmox's answer.
    const details = errors && Object.keys(errors).length > 0 ? ` (${Object.entries(errors).map(([name, why]) => `${name}: ${why.replace(/\n+$/, '')}`).join('; ')})` : '';
    return new PveError({ status, reason, message: `${text}${details}`, errors, method, path, ...classifyPveMessage(status, text, errors), responseCode: `PVE_${status}` });
  }

  toJSON(): Record<string, unknown> {
    const { name, message, status, reason, errors, method, path, kind, transient, permanent, responseCode } = this;
    return { name, message, status, reason, errors, method, path, kind, transient, permanent, responseCode };
  }
}

/** A task that ended with an exitstatus other than "OK" or "WARNINGS: N" (PVE::UPID status_is_error). */
export class PveTaskFailed extends PveError {
  readonly upid: string;
  readonly exitstatus: string;

  /** `status` is 200: the poll was answered; the task failed. */
  constructor(upid: string, exitstatus: string, method: string, path: string) {
    super({ status: 200, reason: 'task failed', message: exitstatus, method, path, ...classifyPveMessage(500, exitstatus), responseCode: 'PVE_TASK' });
    this.upid = upid;
    this.exitstatus = exitstatus;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), upid: this.upid, exitstatus: this.exitstatus };
  }
}

// On the prototype, so that the stack captured in the constructor already starts with the name.
Object.defineProperty(PveError.prototype, 'name', { value: 'PveError', writable: true, configurable: true });
Object.defineProperty(PveTaskFailed.prototype, 'name', { value: 'PveTaskFailed', writable: true, configurable: true });

export function isPveError(error: unknown): error is PveError {
  return error instanceof PveError;
}
