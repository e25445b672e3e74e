// Who may ask for retention, and as of when: shared by the HTTP routes and the NATS request. The
// retention deletes any Task, so a token with an object scope may not (it would act outside it),
// and `at` must be an ISO 8601 instant.

import { AuthError, can, isScoped, type Permission, type Principal } from '@vle/auth';
import { ContractError } from '@vle/contracts';

/** Refuses a token without one of `permissions`, or with a scope; throws AuthError. */
export function checkRetentionCaller(caller: Principal, permissions: readonly Permission[]): void {
  if (!permissions.some((p) => can(caller, p))) throw AuthError.missing(permissions[0]!, `or ${permissions.slice(1).join(', ') || 'none other'}: the retention`);
  if (isScoped(caller)) throw new AuthError('FORBIDDEN', 'the retention acts on every Task: a token with an object scope (vle_scope) may not ask for it');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `at` (absent: now) as a Date; throws ContractError naming the field. */
export function retentionTimeOf(raw: unknown, now: () => Date): Date {
  if (raw === undefined || raw === null || raw === '') return now();
  const at = typeof raw === 'string' && ISO_INSTANT.test(raw) ? new Date(raw) : undefined;
  if (!at || Number.isNaN(at.getTime()) || at.getUTCFullYear() > 9999) {
    const message = 'must be an ISO 8601 time with a zone, e.g. 2026-03-02T03:00:00Z';
    throw new ContractError('VALIDATION_FAILED', `invalid retention request: at: ${message}`, [{ field: 'at', message }]);
  }
  return at;
}
