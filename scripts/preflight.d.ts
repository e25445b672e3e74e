// Types of preflight.js (plain JavaScript so that npm start runs before anything is built), for its tests.

export interface Machine {
  /** Debian's nats-server package, under a running systemd. */
  readonly natsDebianService: boolean;
  /** /etc/nats-server.conf has a jetstream block (the package's has none). */
  readonly natsDebianConfHasJetStream: boolean;
  readonly natsServer: string;
  /** The clusters' versions under /etc/postgresql (Debian's postgresql-common), oldest first. */
  readonly postgresVersions: readonly string[];
}

export function thisMachine(): Machine;
/** undefined when NATS answers with JetStream; otherwise what is wrong and the command that fixes it. */
export function checkNats(natsUrl: string, machine?: Machine): Promise<string | undefined>;
/** undefined when PostgreSQL lets DATABASE_URL's user in; otherwise what is wrong and the command that fixes it. */
export function checkDatabase(databaseUrl: string, machine?: Machine): Promise<string | undefined>;
