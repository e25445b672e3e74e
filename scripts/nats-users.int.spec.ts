// The committed nats-server users (deploy/nats/users.conf, the Helm values) are what libs/contracts
// says (scripts/nats-users.js writes them from the built contracts: `npm run build` first).

import { describe, expect, it } from 'vitest';
import { expectedFiles, renderUsersConf } from './nats-users.js';

describe('the NATS users config', () => {
  it('is in every committed file as libs/contracts/src/nats-users.ts gives it (npm run nats:users)', () => {
    for (const [path, wanted, committed] of expectedFiles()) {
      expect(committed, `${path}: run npm run nats:users`).toBe(wanted);
    }
  });

  it('names every user with a password from the environment and no deny-list', () => {
    const conf = renderUsersConf();
    for (const user of ['task-api', 'scheduler', 'projection', 'vm-clone-worker', 'vm-action-worker', 'integration-worker', 'openvle', 'admin']) {
      expect(conf).toContain(`user: "${user}"\n      password: $NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}\n`);
    }
    expect(conf).not.toContain('deny');
  });
});
