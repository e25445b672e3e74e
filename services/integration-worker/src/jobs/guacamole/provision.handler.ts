// Provision one participant's remote desktop: their Guacamole user, a connection to their VM, a
// read-only sharing profile of it, and READ on both. Every object is looked up before it is made,
// so a redelivery, or an attempt after a create whose answer was lost, finds instead of failing or
// making a second one. The passwords are derived here (never in the job): the participant's from
// their username, the VM login's from the connection's name.

import { deriveLabPassword, LAB_PASSWORD_PURPOSE, type GuacamoleConnection, type GuacamoleProtocol, type GuacamoleSharingProfile, type GuacamoleUser } from '@vle/integrations';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { z } from 'zod';
import { findOrCreate, viewProfileName, type GuacamoleJobDeps } from './guacamole-jobs.js';

/** What planGuacamoleProvision (and an event's deploy) gives the SubTask: never a password. */
const ProvisionParams = z.object({
  username: z.string().min(1),
  connectionName: z.string().min(1),
  protocol: z.enum(['rdp', 'vnc'] satisfies GuacamoleProtocol[]),
  hostname: z.string().min(1),
  port: z.number().int().min(1).max(65_535).optional(),
  fullName: z.string().min(1).optional(),
  validUntil: z.string().min(1).optional(),
  vmUsername: z.string().min(1).optional(),
  vmid: z.number().int().positive().optional(),
});

const DEFAULT_PORTS: Readonly<Record<GuacamoleProtocol, number>> = { rdp: 3389, vnc: 5900 };
const DEFAULT_VM_USERNAME = 'student';

export function createProvisionHandler(deps: GuacamoleJobDeps): JobHandler {
  const { guacamole, labCredentialsKey } = deps;

  return defineHandler(ProvisionParams, async (params) => {
    const { username, connectionName, protocol, hostname, fullName, validUntil } = params;
    const port = params.port ?? DEFAULT_PORTS[protocol];
    const vmUsername = params.vmUsername ?? DEFAULT_VM_USERNAME;

    const user = await findOrCreate<GuacamoleUser>(
      () => guacamole.getUser(username),
      () =>
        guacamole.createUser({
          username,
          password: deriveLabPassword(labCredentialsKey, LAB_PASSWORD_PURPOSE.guacamoleUser, username),
          attributes: { 'guac-full-name': fullName ?? null, 'valid-until': validUntil ?? null },
        }),
    );

    const vmPassword = deriveLabPassword(labCredentialsKey, LAB_PASSWORD_PURPOSE.vmLogin, connectionName);
    const parameters: Record<string, string> =
      protocol === 'rdp'
        ? { hostname, port: String(port), username: vmUsername, password: vmPassword, security: 'any', 'ignore-cert': 'true' }
        : { hostname, port: String(port), password: vmPassword };
    const connection = await findOrCreate<GuacamoleConnection>(
      () => guacamole.findConnectionByName(connectionName),
      () => guacamole.createConnection({ name: connectionName, protocol, parameters }),
    );

    const profileName = viewProfileName(connectionName);
    const profile = await findOrCreate<GuacamoleSharingProfile>(
      () => guacamole.findSharingProfile(connection.object.identifier, profileName),
      () => guacamole.createSharingProfile({ name: profileName, primaryConnectionIdentifier: connection.object.identifier, parameters: { 'read-only': 'true' } }),
    );

    // Adding a permission the user already has changes nothing, so this needs no lookup.
    await guacamole.grantPermissions(username, [
      { op: 'add', path: `/connectionPermissions/${connection.object.identifier}`, value: 'READ' },
      { op: 'add', path: `/sharingProfilePermissions/${profile.object.identifier}`, value: 'READ' },
    ]);

    return {
      responseCode: 'OK',
      responseMessage:
        `user ${username} ${user.how}, connection "${connectionName}" (${connection.object.identifier}, ${protocol} to ${hostname}:${port}) ${connection.how}, ` +
        `sharing profile "${profileName}" (${profile.object.identifier}) ${profile.how}; READ granted on both`,
    };
  });
}
