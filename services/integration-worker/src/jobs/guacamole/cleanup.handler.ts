// Remove one participant's remote desktop: the read-only sharing profile, the connection, then the
// user. What is already gone (a 404, or nothing found by name) counts as removed, so a redelivery
// or a second cleanup succeeds.

import { defineHandler, type JobHandler } from '@vle/messaging';
import { z } from 'zod';
import { deleteIfPresent, viewProfileName, type GuacamoleJobDeps } from './guacamole-jobs.js';

/** What planGuacamoleCleanup (and an event's archive) gives the SubTask. */
const CleanupParams = z.object({ username: z.string().min(1), connectionName: z.string().min(1) });

export function createCleanupHandler(deps: GuacamoleJobDeps): JobHandler {
  const { guacamole } = deps;

  return defineHandler(CleanupParams, async ({ username, connectionName }) => {
    const done: string[] = [];

    const connection = await guacamole.findConnectionByName(connectionName);
    if (connection) {
      const profileName = viewProfileName(connectionName);
      const profile = await guacamole.findSharingProfile(connection.identifier, profileName);
      if (profile) done.push(`sharing profile "${profileName}" (${profile.identifier}) ${(await deleteIfPresent(() => guacamole.deleteSharingProfile(profile.identifier))) ? 'deleted' : 'already gone'}`);
      else done.push(`sharing profile "${profileName}" already gone`);
      // Deleting the connection also removes its sharing profiles and every permission on it.
      done.push(`connection "${connectionName}" (${connection.identifier}) ${(await deleteIfPresent(() => guacamole.deleteConnection(connection.identifier))) ? 'deleted' : 'already gone'}`);
    } else {
      done.push(`connection "${connectionName}" already gone`);
    }

    done.push(`user ${username} ${(await deleteIfPresent(() => guacamole.deleteUser(username))) ? 'deleted' : 'already gone'}`);
    return { responseCode: 'OK', responseMessage: done.join(', ') };
  });
}
