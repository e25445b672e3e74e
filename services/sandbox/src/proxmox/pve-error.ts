// How the Proxmox API server reports a failure (pve-common src/PVE/Exception.pm, pve-http-server
// src/PVE/APIServer/Formatter/Standard.pm): `die "text\n"` is a 500 with that text; raise_param_exc
// is a 400 "Parameter verification failed." with one message per parameter; raise_perm_exc a 403.
// The HTTP reason phrase is the first line of the message (AnyEvent.pm `response`).

export class PveError extends Error {
  override readonly name = 'PveError';

  constructor(
    readonly status: number,
    /** The text as the server holds it, usually ending in "\n" (a perl `die "...\n"`). */
    readonly text: string,
    readonly errors?: Readonly<Record<string, string>>,
    /** pveproxy answers some failures (401, 595, 501 "no such uri") without a JSON body. */
    readonly emptyBody = false,
  ) {
    super(text.trimEnd());
  }
}

/** `die "text\n"` inside an API handler. */
export const died = (text: string): PveError => new PveError(500, `${text}\n`);

export const paramError = (errors: Record<string, string>): PveError => new PveError(400, 'Parameter verification failed.\n', errors);

export const permError = (what: string): PveError => new PveError(403, `Permission check failed (${what})\n`);

/** The reason phrase pveproxy puts on the status line: the first line of the message. */
export function reasonPhrase(text: string): string {
  return text.split('\n')[0] ?? '';
}
