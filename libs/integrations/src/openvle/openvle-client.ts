// A client of the OpenVLE core API (a Django REST Framework service): the lab events with their dates,
// template and participants, which the event deploy, archive and lifecycle jobs read. Reads only, so
// a transient failure is simply asked again by the job runtime.

import type { JobFailure, LabEvent, LabParticipant } from '@vle/domain';
import axios, { type AxiosInstance } from 'axios';
import { instrumentCalls } from '../external-calls.js';

/** An event and its participants, exactly as the domain plans from them (libs/domain event-children). */
export type OpenVleEvent = LabEvent;
export type OpenVleParticipant = LabParticipant;

export interface OpenVleEventFilter {
  readonly startsFrom?: Date;
  readonly startsTo?: Date;
  readonly endsFrom?: Date;
  readonly endsTo?: Date;
}

export interface OpenVleClientOptions {
  /** Without /api/v1: `https://openvle.example.org`, or the sandbox's `http://127.0.0.1:3009/openvle`. */
  readonly baseUrl: string;
  /** DRF token (`Authorization: Token <key>`). */
  readonly token: string;
  readonly timeoutMs?: number;
}

/** A refusal or failure of the core API. No credentials in it. */
export class OpenVleError extends Error implements JobFailure {
  override readonly name = 'OpenVleError';
  /** A 5xx, a timeout or no answer: asking again can succeed. 4xx: it will not. */
  readonly transient: boolean;
  readonly permanent: boolean;
  /** OPENVLE_<status>, OPENVLE_TIMEOUT or OPENVLE_NETWORK. */
  readonly responseCode: string;

  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
  ) {
    super(message);
    // 429 (throttled) and 5xx clear; other 4xx are the request's fault.
    this.transient = status === 0 || status === 429 || status >= 500;
    this.permanent = !this.transient;
    this.responseCode = status === 0 ? (/timeout/i.test(message) ? 'OPENVLE_TIMEOUT' : 'OPENVLE_NETWORK') : `OPENVLE_${status}`;
  }
}

export class OpenVleClient {
  readonly #http: AxiosInstance;
  readonly #baseUrl: string;

  constructor(options: OpenVleClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#http = axios.create({
      baseURL: `${this.#baseUrl}/api/v1`,
      allowAbsoluteUrls: false,
      timeout: options.timeoutMs ?? 15_000,
      headers: { Authorization: `Token ${options.token}`, Accept: 'application/json' },
      proxy: false,
      maxRedirects: 0,
      validateStatus: () => true,
    });
    instrumentCalls(this.#http, 'openvle');
  }

  async getEvent(id: number, signal?: AbortSignal): Promise<OpenVleEvent> {
    return this.get<OpenVleEvent>(`/events/${id}`, {}, signal);
  }

  async listEvents(filter: OpenVleEventFilter = {}, signal?: AbortSignal): Promise<OpenVleEvent[]> {
    const params = Object.fromEntries(Object.entries(filter).map(([key, date]) => [key, (date as Date).toISOString()]));
    return (await this.get<{ results: OpenVleEvent[] }>('/events', params, signal)).results;
  }

  toString(): string {
    return `OpenVleClient(${this.#baseUrl})`;
  }

  toJSON(): Record<string, string> {
    return { baseUrl: this.#baseUrl };
  }

  private async get<T>(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<T> {
    let response;
    try {
      response = await this.#http.get(path, { params, signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const reason = error instanceof Error ? error.message : String(error);
      throw new OpenVleError(`OpenVLE core API GET ${path}: ${reason}`, 0, path);
    }
    if (response.status >= 200 && response.status < 300) return response.data as T;
    throw new OpenVleError(`OpenVLE core API GET ${path} answered ${response.status}: ${detailOf(response.data)}`, response.status, path);
  }
}

/** DRF's `{"detail": "..."}`, or its field errors `{"field": ["..."]}`. */
function detailOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return String(body ?? '');
  const { detail } = body as { detail?: unknown };
  if (typeof detail === 'string') return detail;
  return Object.entries(body)
    .map(([field, problems]) => `${field}: ${Array.isArray(problems) ? problems.join(' ') : String(problems)}`)
    .join('; ');
}
