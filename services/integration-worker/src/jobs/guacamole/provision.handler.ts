// Provision one participant's remote desktop: their Guacamole user, a connection to their VM, a
// read-only sharing profile of it, and READ on both. Every object is looked up before it is made,
// so a redelivery, or an attempt after a create whose answer was lost, finds instead of failing or
// making a second one. The passwords are derived here (never in the job): the participant's from
// their username, the VM login's from the connection's name.

import { deriveLabPassword, LAB_PASSWORD_PURPOSE, param, type GuacamoleConnection, type GuacamoleProtocol, type GuacamoleSharingProfile, type GuacamoleUser } from '@vle/integrations';
import type { JobHandler } from '@vle/messaging';
import { findOrCreate, viewProfileName, type GuacamoleJobDeps } from './guacamole-jobs.js';

const PROTOCOLS: readonly GuacamoleProtocol[] = ['rdp', 'vnc'];
const DEFAULT_PORTS: Readonly<Record<GuacamoleProtocol, number>> = { rdp: 3389, vnc: 5900 };
const DEFAULT_VM_USERNAME = 'student';

export function createProvisionHandler(deps: GuacamoleJobDeps): JobHandler {
  const { guacamole, labCredentialsKey } = deps;

  return async (job, context) => {
    const username = param(job.params, 'username', 'string', true)!;
    const connectionName = param(job.params, 'connectionName', 'string', true)!;
    const protocol = protocolOf(param(job.params, 'protocol', 'string', true)!);
    const hostname = param(job.params, 'hostname', 'string', true)!;
    const port = param(job.params, 'port', 'number', false) ?? DEFAULT_PORTS[protocol];
    const fullName = param(job.params, 'fullName', 'string', false);
    const validUntil = param(job.params, 'validUntil', 'string', false);
    const vmUsername = param(job.params, 'vmUsername', 'string', false) ?? DEFAULT_VM_USERNAME;

    const user = await findOrCreate<GuacamoleUser>(
      () => guacamole.getUser(username),
      () =>
        guacamole.createUser({
          username,
          password: deriveLabPassword(labCredentialsKey, LAB_PASSWORD_PURPOSE.guacamoleUser, username),
          attributes: { 'guac-full-name': fullName ?? null, 'valid-until': validUntil ?? null },
        }),
    );
    context.heartbeat();

    const vmPassword = deriveLabPassword(labCredentialsKey, LAB_PASSWORD_PURPOSE.vmLogin, connectionName);
    const parameters: Record<string, string> =
      protocol === 'rdp'
        ? { hostname, port: String(port), username: vmUsername, password: vmPassword, security: 'any', 'ignore-cert': 'true' }
        : { hostname, port: String(port), password: vmPassword };
    const connection = await findOrCreate<GuacamoleConnection>(
      () => guacamole.findConnectionByName(connectionName),
      () => guacamole.createConnection({ name: connectionName, protocol, parameters }),
    );
    context.heartbeat();

    const profileName = viewProfileName(connectionName);
    const profile = await findOrCreate<GuacamoleSharingProfile>(
      () => guacamole.findSharingProfile(connection.object.identifier, profileName),
      () => guacamole.createSharingProfile({ name: profileName, primaryConnectionIdentifier: connection.object.identifier, parameters: { 'read-only': 'true' } }),
    );
    context.heartbeat();

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
  };
}

function protocolOf(value: string): GuacamoleProtocol {
  if ((PROTOCOLS as readonly string[]).includes(value)) return value as GuacamoleProtocol;
  throw Object.assign(new Error(`job params.protocol must be rdp or vnc, not "${value}"`), { permanent: true, responseCode: 'BAD_PARAMS' });
}
