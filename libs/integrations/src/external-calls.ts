// Every call of a client of an external system counted and timed (vle_external_calls_total and
// vle_external_call_duration_seconds, by system): one place for the four HTTP clients (axios
// interceptors) and one for SMTP, so that "one integration failing everywhere" shows in one series.

import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { externalCallDuration, externalCalls, outcomeOfStatus } from '@vle/metrics';

export type ExternalSystem = 'proxmox' | 'guacamole' | 'moodle' | 'openvle' | 'smtp';

const STOP = Symbol('vle.callTimer');
type Timed = InternalAxiosRequestConfig & { [STOP]?: () => void };

/** Counts each request of `http` by the status of its answer (or `error` for none). */
export function countCalls(http: AxiosInstance, system: ExternalSystem): void {
  const settle = (config: Timed | undefined, status: number | undefined) => {
    config?.[STOP]?.();
    externalCalls.inc({ system, outcome: outcomeOfStatus(status) });
  };
  http.interceptors.request.use((config: Timed) => {
    config[STOP] = externalCallDuration.startTimer({ system });
    return config;
  });
  http.interceptors.response.use(
    (response) => {
      settle(response.config, response.status);
      return response;
    },
    (error: AxiosError) => {
      settle(error.config, error.response?.status);
      throw error;
    },
  );
}

/** Counts one SMTP exchange: `ok` when it resolves, `refused` for a reply code (4xx, 5xx), `error` for none. */
export async function countSmtpCall<T>(send: () => Promise<T>): Promise<T> {
  const stop = externalCallDuration.startTimer({ system: 'smtp' });
  try {
    const value = await send();
    externalCalls.inc({ system: 'smtp', outcome: 'ok' });
    return value;
  } catch (error) {
    externalCalls.inc({ system: 'smtp', outcome: smtpOutcomeOf(error) });
    throw error;
  } finally {
    stop();
  }
}

function smtpOutcomeOf(error: unknown): string {
  return typeof (error as { responseCode?: unknown } | undefined)?.responseCode === 'number' ? 'refused' : 'error';
}
