// The list's filters as they sit in the address (so that a filtered list is a link), and as the
// API takes them: the same names as GET /api/v1/tasks, plus `period` for the quick time ranges.

import type { LocationQuery, LocationQueryRaw } from 'vue-router';

/** The list's filters that travel in the address. */
export const FILTER_KEYS = ['q', 'status', 'createdBy', 'period', 'from', 'to', 'eventId', 'type', 'queue', 'objectType', 'objectId', 'originTaskId', 'silent'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export const PERIODS: Readonly<Record<string, { label: string; ms: number }>> = {
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
};

export function filtersOf(query: LocationQuery): Filters {
  const out: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = query[key];
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string' && text.trim() !== '') out[key] = text.trim();
  }
  return out;
}

export function queryOf(filters: Filters): LocationQueryRaw {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''));
}

/** A datetime-local input's value ("2026-12-02T21:05", the user's zone) as an ISO instant. */
export function isoOfLocal(value: string): string {
  return new Date(value).toISOString();
}

/** The API's query string for these filters (`period` turned into `from`), without paging. */
export function apiParams(filters: Filters, now = Date.now()): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value === undefined || key === 'period' || key === 'silent') continue;
    if ((key === 'from' || key === 'to') && filters.period) continue;
    params.set(key, key === 'from' || key === 'to' ? isoOfLocal(value) : value);
  }
  const period = filters.period ? PERIODS[filters.period] : undefined;
  if (period) params.set('from', new Date(now - period.ms).toISOString());
  if (filters.silent === 'true') params.set('silent', 'true');
  return params;
}
