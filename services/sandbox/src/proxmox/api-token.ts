// API token authentication as pve-access-control src/PVE/AccessControl.pm verify_token does it,
// reached from pve-manager PVE/HTTPServer.pm auth_handler. Each failure is a 401 whose reason phrase
// is the die text; without any credentials the answer is "No ticket".

export interface ApiToken {
  /** `user@realm!tokenid` */
  readonly tokenId: string;
  readonly secret: string;
}

/** `user@realm!tokenid=secret`, comma-separated for several. */
export function parseApiTokens(text: string): ApiToken[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const at = entry.lastIndexOf('=');
      const token = { tokenId: entry.slice(0, at), secret: entry.slice(at + 1) };
      if (at <= 0 || !TOKEN_ID.test(token.tokenId) || token.secret === '') throw new Error('must be USER@REALM!TOKENID=SECRET (comma-separated for several)');
      return token;
    });
}

const TOKEN_ID = /^([^\s:/@!]+@[A-Za-z][A-Za-z0-9.\-_]+)!([A-Za-z][A-Za-z0-9.\-_]+)$/;

export type AuthResult = { readonly ok: true; readonly tokenId: string } | { readonly ok: false; readonly reason: string };

export function authenticate(tokens: readonly ApiToken[], authorization: string | undefined): AuthResult {
  // PVE::APIServer::Formatter extract_auth_value: "PVEAPIToken=<value>" (a space also separates).
  const match = /^PVEAPIToken[=\s](.*)$/.exec(authorization?.trim() ?? '');
  const value = match?.[1]?.trim();
  if (!value) return { ok: false, reason: 'No ticket' };
  const eq = value.indexOf('=');
  if (eq < 0) return { ok: false, reason: 'no tokenid specified' };
  const tokenId = value.slice(0, eq);
  const secret = value.slice(eq + 1);
  const parts = TOKEN_ID.exec(tokenId);
  if (!parts) return { ok: false, reason: `'${tokenId}' is not a valid token ID` };
  const user = parts[1]!;
  if (!tokens.some((t) => t.tokenId.startsWith(`${user}!`))) return { ok: false, reason: `no such user ('${user}')` };
  const known = tokens.find((t) => t.tokenId === tokenId);
  if (!known) return { ok: false, reason: `no such token '${parts[2]}' for user '${user}'` };
  if (known.secret !== secret) return { ok: false, reason: 'invalid token value!' };
  return { ok: true, tokenId };
}
