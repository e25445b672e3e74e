// Calls of the projection's API (the one origin) with the session's token. A refused token (401)
// ends the session with the server's reason, so the user lands on the sign-in page with a message.

import { session, signOut } from '../session.js';
import type { ErrorReplyBody, Violation } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly violations: readonly Violation[] = [],
  ) {
    super(message);
  }

  static async of(response: Response): Promise<ApiError> {
    const body = (await response.json().catch(() => undefined)) as Partial<ErrorReplyBody> | undefined;
    return new ApiError(response.status, body?.code ?? `HTTP_${response.status}`, body?.message ?? (response.statusText || `the server answered ${response.status}`), body?.violations ?? []);
  }
}

/** The session's headers for a call of the API. */
export function authHeaders(): Record<string, string> {
  return session.token ? { authorization: `Bearer ${session.token}` } : {};
}

/** What a 401 says, for the sign-in page. */
export function expiredNotice(error: ApiError): string {
  return /expired/i.test(error.message) || error.code === 'TOKEN_EXPIRED' ? `Your session expired (${error.message}): sign in again.` : `The server refused the token: ${error.message}`;
}

async function send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  if (response.ok) return response;
  const error = await ApiError.of(response);
  if (response.status === 401) signOut(expiredNotice(error));
  throw error;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await send('GET', path, undefined, signal)).json()) as T;
}

export async function post<T>(path: string, body: unknown = {}): Promise<T> {
  const response = await send('POST', path, body);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A file of the API (CSV export, HTML report) downloaded with the token, which a plain link cannot send. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const response = await send('GET', path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const taskPath = (id: string) => `/api/v1/tasks/${encodeURIComponent(id)}`;
