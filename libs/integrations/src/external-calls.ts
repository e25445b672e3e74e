// Every call of a client of an external system, instrumented in one place: counted and timed
// (vle_external_calls_total and vle_external_call_duration_seconds, by system, so that "one
// integration failing everywhere" shows in one series) and traced (a CLIENT span, child of the job's
// handler, whose W3C traceparent the request carries so that the called system may join the trace).
// One set of axios interceptors for the four HTTP clients, one wrapper for SMTP.

import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { externalCallDuration, externalCalls, outcomeOfStatus } from '@vle/metrics';
import { Attr, endHttpClientSpan, errorCodeOf, inSpan, injectTraceContext, SpanKind, startHttpClientSpan, type Span } from '@vle/tracing';

export type ExternalSystem = 'proxmox' | 'guacamole' | 'moodle' | 'openvle' | 'smtp';

const CALL = Symbol('vle.externalCall');
type Instrumented = InternalAxiosRequestConfig & { [CALL]?: { stopTimer: () => void; span: Span } };

/** Counts, times and traces each request of `http`, by the status of its answer (or `error` for none). */
export function instrumentCalls(http: AxiosInstance, system: ExternalSystem): void {
  const settle = (config: Instrumented | undefined, status: number | undefined, noAnswerCode?: string) => {
    const call = config?.[CALL];
    if (!call) return;
    delete config[CALL];
    call.stopTimer();
    endHttpClientSpan(call.span, status, noAnswerCode);
    externalCalls.inc({ system, outcome: outcomeOfStatus(status) });
  };
  http.interceptors.request.use((config: Instrumented) => {
    const { span, context } = startHttpClientSpan({ method: config.method ?? 'get', url: new URL(http.getUri(config)), system });
    injectTraceContext(config.headers, context);
    config[CALL] = { stopTimer: externalCallDuration.startTimer({ system }), span };
    return config;
  });
  http.interceptors.response.use(
    (response) => {
      settle(response.config, response.status);
      return response;
    },
    (error: AxiosError) => {
      settle(error.config, error.response?.status, error.code ?? 'NO_ANSWER');
      throw error;
    },
  );
}

/**
 * Counts, times and traces one SMTP exchange: `ok` when it resolves, `refused` for a reply code
 * (4xx, 5xx: the span's error.type), `error` for none. The span names the server, never a recipient.
 */
export async function instrumentSmtpCall<T>(server: { host: string; port: number }, send: () => Promise<T>): Promise<T> {
  const stop = externalCallDuration.startTimer({ system: 'smtp' });
  const attributes = { [Attr.externalSystem]: 'smtp', [Attr.serverAddress]: server.host, [Attr.serverPort]: server.port };
  try {
    const value = await inSpan({ name: 'send smtp', kind: SpanKind.CLIENT, attributes }, send, smtpCodeOf);
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

/** The SMTP reply code (550), or the error's own code (ECONNREFUSED) when the server gave none. */
function smtpCodeOf(error: unknown): string {
  const responseCode = (error as { responseCode?: unknown } | undefined)?.responseCode;
  return typeof responseCode === 'number' ? String(responseCode) : errorCodeOf(error);
}
