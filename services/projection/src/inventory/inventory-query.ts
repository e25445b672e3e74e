// The query string of GET /api/v1/proxmox/vms and the :vmid of GET /api/v1/proxmox/vms/:vmid: a bad
// value gets a 400 naming the field (DESIGN §7), an unknown parameter too.

import { ContractError, type Violation } from '@vle/contracts';

export interface GuestFilter {
  readonly node?: string;
  readonly template?: boolean;
  readonly status?: string;
  readonly pool?: string;
}

const KNOWN = ['node', 'template', 'status', 'pool'] as const;
/** As the contract's PveGuestInfo.status: running, stopped, paused, ... */
const STATUS = /^[a-z-]{1,32}$/;

function refuse(where: string, violations: readonly Violation[]): never {
  const first = violations[0]!;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  throw new ContractError('VALIDATION_FAILED', `invalid ${where}: ${first.field}: ${first.message}${more}`, violations);
}

export function parseGuestFilter(query: Record<string, unknown>): GuestFilter {
  const violations: Violation[] = [];
  const text = (field: string, maxLength: number): string | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return void violations.push({ field, message: 'must be given once, as a string' });
    if (value.trim() === '') return void violations.push({ field, message: 'must not be empty' });
    if (value.length > maxLength) return void violations.push({ field, message: `must be at most ${maxLength} characters` });
    return value;
  };
  for (const key of Object.keys(query)) {
    if (!(KNOWN as readonly string[]).includes(key)) violations.push({ field: key, message: `is not a filter; use ${KNOWN.join(', ')}` });
  }
  const node = text('node', 64);
  const pool = text('pool', 200);
  const status = text('status', 32);
  if (status !== undefined && !STATUS.test(status)) violations.push({ field: 'status', message: `${JSON.stringify(status)} is not a Proxmox status such as running or stopped` });
  const templateText = text('template', 5);
  if (templateText !== undefined && templateText !== 'true' && templateText !== 'false') {
    violations.push({ field: 'template', message: `${JSON.stringify(templateText)} is not true or false` });
  }
  if (violations.length > 0) refuse('query', violations);
  return { node, status, pool, template: templateText === undefined ? undefined : templateText === 'true' };
}

export function parseVmid(vmid: string): number {
  const n = /^\d{1,9}$/.test(vmid) ? Number(vmid) : 0;
  if (n < 1) refuse('path', [{ field: 'vmid', message: `${JSON.stringify(vmid)} is not a Proxmox VM id (1 to 999999999)` }]);
  return n;
}
