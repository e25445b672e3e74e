// The signed-in user: a bearer token kept in this tab's sessionStorage only (it goes when the tab
// does), taken from the sign-in form or from a link carrying `#token=…` (the fragment never reaches
// a server or a Referer), and the caller's identity as GET /api/v1/me tells it.

import { reactive } from 'vue';
import type { Me } from './api/types.js';

const KEY = 'vle-tasks.token';

export const session = reactive({
  token: sessionStorage.getItem(KEY) ?? '',
  me: undefined as Me | undefined,
  /** Why the user was sent back to sign in (an expired or refused token). */
  notice: '',
});

export function signIn(token: string): void {
  session.token = token.trim();
  session.me = undefined;
  session.notice = '';
  sessionStorage.setItem(KEY, session.token);
}

export function signOut(notice = ''): void {
  session.token = '';
  session.me = undefined;
  session.notice = notice;
  sessionStorage.removeItem(KEY);
}

/** A token in the URL's fragment (`#token=…`): kept, and removed from the address bar and history. */
export function takeTokenFromLocation(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  signIn(token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

export function can(permission: string): boolean {
  return session.me?.permissions.includes(permission) ?? false;
}

// Before the router reads the address (it is created when router.ts is first imported, after this module).
takeTokenFromLocation();
