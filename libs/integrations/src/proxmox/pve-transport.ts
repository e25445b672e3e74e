// One HTTP exchange with the Proxmox VE API: encoding, authentication, deadline, and the mapping of
// every failure to a PveError. Nothing is retried here: a POST or DELETE that timed out may have
// started a task, so whether to ask again is the job runtime's decision (reference §6).

import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { PveError } from './pve-error.js';
import { createHttpsAgent, FINGERPRINT_MISMATCH, type PveTlsOptions } from './pve-tls.js';
import type { PveMethod } from './schema/pve-schema.js';
import { instrumentCalls } from '../external-calls.js';

export type PveParamValue = string | number | boolean | undefined;
export type PveParams = Readonly<Record<string, PveParamValue>>;

/** Query string or form body as pveproxy reads it: booleans as 0/1, undefined left out. */
export function encodePveParams(params: PveParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    search.append(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return search.toString();
}

/** A path below /api2/json with every interpolated segment percent-encoded (UPIDs hold ':', '!', '@'). */
export function pvePath(strings: TemplateStringsArray, ...segments: (string | number)[]): string {
  return strings.reduce((path, literal, i) => path + literal + (i < segments.length ? encodeSegment(String(segments[i])) : ''), '');
}

// encodeURIComponent leaves RFC 3986 sub-delimiters such as '!' as they are.
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface PveTransportOptions extends PveTlsOptions {
  readonly baseUrl: string;
  readonly authorization: string;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

// OpenSSL verification codes and Node's TLS errors: the certificate, not the network, is at fault.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_PVE_FINGERPRINT)/;

export class PveTransport {
  readonly #http: AxiosInstance;
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent: ReturnType<typeof createHttpsAgent>;
  readonly #timeoutMs: number;

  constructor(options: PveTransportOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#httpsAgent = createHttpsAgent(options);
    this.#http = axios.create({
      baseURL: `${options.baseUrl.replace(/\/+$/, '')}/api2/json`,
      allowAbsoluteUrls: false,
      headers: { Authorization: options.authorization, 'User-Agent': options.userAgent, Accept: 'application/json' },
      httpAgent: this.#httpAgent,
      httpsAgent: this.#httpsAgent,
      // The environment's HTTP(S)_PROXY is not configuration this library may read.
      proxy: false,
      maxRedirects: 0,
      timeout: options.timeoutMs,
      transitional: { clarifyTimeoutError: true },
      responseType: 'json',
    });
    instrumentCalls(this.#http, 'proxmox');
  }

  /** The `data` of the answer. Parameters go in the query for GET/DELETE and as a form otherwise. */
  async request<T>(method: PveMethod, path: string, params: PveParams = {}, signal?: AbortSignal): Promise<T> {
    const encoded = encodePveParams(params);
    const inQuery = method === 'GET' || method === 'DELETE';
    // axios' own timeout is an idle timeout; this bounds the whole exchange. One controller per
    // request, listeners removed after: waitForTask polls for hours under one job signal.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), controller.abort()), this.#timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#http.request<unknown>({
        method,
        url: inQuery && encoded ? `${path}?${encoded}` : path,
        ...(inQuery ? {} : { data: encoded, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
        signal: controller.signal,
      });
      const body = response.data;
      if (typeof body !== 'object' || body === null || !('data' in body)) {
        throw new PveError({ status: response.status, reason: response.statusText, message: 'the answer is not a Proxmox JSON envelope', method, path, kind: 'unknown', transient: true, responseCode: `PVE_${response.status}` });
      }
      return body.data as T;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) throw timeoutError(method, path, `no answer within ${this.#timeoutMs} ms`);
      throw toPveError(error, method, path);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}

function timeoutError(method: string, path: string, message: string): PveError {
  return new PveError({ status: 0, reason: 'ETIMEDOUT', message, method, path, kind: 'timeout', transient: true, responseCode: 'PVE_TIMEOUT' });
}

/** Never keeps the axios error (nor as `cause`): its config holds the Authorization header. */
function toPveError(error: unknown, method: string, path: string): unknown {
  if (error instanceof PveError || !axios.isAxiosError(error)) return error;
  if (error.response) {
    const body: unknown = error.response.data;
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : '';
    const errors = isRecord(body) && isRecord(body.errors) ? stringValues(body.errors) : undefined;
    return PveError.fromResponse(method, path, error.response.status, error.response.statusText ?? '', message, errors);
  }
  const code = error.code ?? '';
  const message = error.message || code || 'request failed';
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return timeoutError(method, path, message);
  if (TLS_CODE.test(code) || code === FINGERPRINT_MISMATCH) {
    return new PveError({ status: 0, reason: code, message, method, path, kind: 'tls', transient: false, responseCode: 'PVE_TLS' });
  }
  return new PveError({ status: 0, reason: code || 'network', message, method, path, kind: 'network', transient: true, responseCode: 'PVE_NETWORK' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, String(value).replace(/\n+$/, '')]));
}
