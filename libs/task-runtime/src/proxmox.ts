// The Proxmox VE client of a vm worker, made once at boot from its validated config.

import { readFileSync } from 'node:fs';
import { PveClient } from '@vle/integrations';
import type { ProxmoxConfig } from '@vle/service-kit';

export function createPveClient(config: ProxmoxConfig): PveClient {
  let ca: Buffer | undefined;
  if (config.PVE_CA_FILE) {
    try {
      ca = readFileSync(config.PVE_CA_FILE);
    } catch (error) {
      throw new Error(`Invalid configuration: PVE_CA_FILE: cannot read ${config.PVE_CA_FILE} (${(error as Error).message})`);
    }
  }
  return new PveClient({
    baseUrl: config.PVE_URL,
    tokenId: config.PVE_TOKEN_ID,
    tokenSecret: config.PVE_TOKEN_SECRET,
    ca,
    fingerprint: config.PVE_FINGERPRINT,
    timeoutMs: config.PVE_TIMEOUT_MS,
  });
}
