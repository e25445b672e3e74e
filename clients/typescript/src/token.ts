// Where the bearer token comes from: a string, or a function asked before every request (and every
// reconnection of a live stream), so that a caller renews a short-lived token in one place.

export type TokenSource = string | (() => string | Promise<string>);

/** The `Authorization` header's value, or undefined without a token. */
export async function authorizationOf(token: TokenSource | undefined): Promise<string | undefined> {
  const value = typeof token === 'function' ? await token() : token;
  if (value === undefined || value === '') return undefined;
  return /^Bearer /i.test(value) ? value : `Bearer ${value}`;
}
