// TLS towards Proxmox VE: a custom CA, or a pinned certificate fingerprint as Proxmox users do with
// the self-signed certificate every node has (the GUI shows it as "AA:BB:…", SHA-256).

import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export const FINGERPRINT_MISMATCH = 'ERR_PVE_FINGERPRINT_MISMATCH';

/** "AA:BB:…" (any case, colons optional) to 64 upper-case hex digits with colons; throws otherwise. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new TypeError('fingerprint must be the SHA-256 of the certificate, as AA:BB:… (32 bytes)');
  return hex.match(/../g)!.join(':');
}

/** The error to fail the connection with when the peer certificate is not the pinned one. */
export function checkFingerprint(pinned: string, cert: { readonly fingerprint256?: string } | undefined): Error | undefined {
  const expected = normalizeFingerprint(pinned);
  const actual = cert?.fingerprint256?.toUpperCase();
  if (actual === expected) return undefined;
  return Object.assign(new Error(`certificate fingerprint ${actual ?? '(none)'} does not match the pinned ${expected}`), { code: FINGERPRINT_MISMATCH });
}

/**
 * With a pin, chain verification is off and the pin replaces it. `checkServerIdentity` cannot carry
 * the pin: Node does not call it when the chain fails (a self-signed certificate), and with
 * rejectUnauthorized false it would not stop the connection anyway. So the socket is checked on
 * 'secureConnect', before the request is written (a test asserts the server reads nothing), and
 * sessions are not cached so that every connection shows its certificate.
 */
class PinnedAgent extends https.Agent {
  constructor(private readonly pinned: string) {
    super({ keepAlive: true, rejectUnauthorized: false, maxCachedSessions: 0 });
  }

  override createConnection(options: https.RequestOptions): Duplex {
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      const error = checkFingerprint(this.pinned, socket.getPeerCertificate());
      if (error) socket.destroy(error);
    });
    return socket;
  }
}

export interface PveTlsOptions {
  readonly ca?: string | Buffer;
  readonly fingerprint?: string;
}

/** The agent for https base URLs: a pin when given (the CA is then unused), else the CA, else the system roots. */
export function createHttpsAgent({ ca, fingerprint }: PveTlsOptions): https.Agent {
  if (fingerprint) return new PinnedAgent(normalizeFingerprint(fingerprint));
  return new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
}
