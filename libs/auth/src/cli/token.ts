#!/usr/bin/env node
// `npm run token -- --sub alice --perms tasks_read,sub_tasks_read`: mints a development token (HS256
// with AUTH_JWT_SECRET, or the published development secret) for any subject, permissions and scope,
// and prints only the token, so that `TOKEN=$(npm run -s token -- --sub alice --admin)` works. The
// services verify it as they verify OpenVLE's backend's tokens (README, "Identity and permissions").
// `--service scheduler` mints the identity of one of vle-tasks' own services (its subject and
// permissions), for its AUTH_SERVICE_TOKEN_FILE.

import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEV_AUTH_JWT_SECRET } from '../development.js';
import { mintToken } from '../mint-token.js';
import { ALL_PERMISSIONS, isPermission, type Permission } from '../permissions.js';
import { SERVICE_IDENTITIES, type ServiceWithIdentity } from '../service-credentials.js';

function permissionList(raw: string): Permission[] {
  const names = raw.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isPermission(n));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown permission ${unknown.join(', ')}; known: ${ALL_PERMISSIONS.join(', ')}`);
  return names as Permission[];
}

/** 90s, 30m, 12h, 7d (or plain seconds). */
function duration(raw: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match) throw new InvalidArgumentError('must be a duration such as 90s, 30m, 12h or 7d');
  const seconds = Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (seconds < 1 || seconds > 366 * 86_400) throw new InvalidArgumentError('must be from 1 second to 366 days');
  return seconds;
}

const program = new Command('token')
  .description('mint a bearer token for vle-tasks (development and tests; production verifies OpenVLE tokens)')
  .option('--sub <subject>', 'the subject: the user or service the token is for')
  .addOption(new Option('--service <name>', "the identity of a vle-tasks service (its subject and permissions), for its AUTH_SERVICE_TOKEN_FILE").choices(Object.keys(SERVICE_IDENTITIES)).conflicts(['sub', 'perms', 'admin', 'own', 'events']))
  .option('--perms <list>', `comma-separated permissions (${ALL_PERMISSIONS.join(', ')})`, permissionList, [] as Permission[])
  .option('--admin', 'every permission (acting for users included)', false)
  .option('--own', 'scope: only the Tasks this subject created', false)
  .option('--events <ids>', 'scope: only the Tasks of these OpenVLE events (comma-separated)', (raw: string) => raw.split(',').map((e) => e.trim()).filter(Boolean))
  .option('--expires <duration>', 'lifetime: 90s, 30m, 12h, 7d', duration, 3600)
  .addOption(new Option('--issuer <iss>', 'issuer (iss)').env('AUTH_ISSUER').default(DEFAULT_ISSUER))
  .addOption(new Option('--audience <aud>', 'audience (aud)').env('AUTH_AUDIENCE').default(DEFAULT_AUDIENCE))
  .addOption(new Option('--secret <secret>', 'HS256 secret (default: the published development secret)').env('AUTH_JWT_SECRET').default(DEV_AUTH_JWT_SECRET).hideHelp())
  .action(async (options: { sub?: string; service?: ServiceWithIdentity; perms: Permission[]; admin: boolean; own: boolean; events?: string[]; expires: number; issuer: string; audience: string; secret: string }) => {
    const identity = options.service ? SERVICE_IDENTITIES[options.service] : undefined;
    const subject = identity?.subject ?? options.sub;
    if (subject === undefined) return program.error('give --sub <subject> (or --service <name>)', { exitCode: 64 });
    if (subject.trim() === '') program.error("option '--sub <subject>' argument '' is invalid. must not be empty", { exitCode: 64 });
    const permissions = identity ? identity.permissions : options.admin ? ALL_PERMISSIONS : options.perms;
    if (permissions.length === 0) program.error('give --perms <list> or --admin: a token without permissions can do nothing', { exitCode: 64 });
    const token = await mintToken({
      secret: options.secret,
      subject,
      permissions,
      scope: { ...(options.own ? { own: true } : {}), ...(options.events ? { events: options.events } : {}) },
      issuer: options.issuer,
      audience: options.audience,
      expiresInSeconds: options.expires,
    });
    process.stdout.write(`${token}\n`);
  });

program.exitOverride((error) => process.exit(error.exitCode === 1 ? 64 : error.exitCode));
await program.parseAsync(process.argv);
