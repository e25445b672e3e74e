// The connection parameters the simulator checks, from guacamole-ext's protocols/rdp.json and
// vnc.json (a subset: what vle-tasks sets, plus the common ones). The real REST API stores any
// parameter; guacd is where a bad value fails. Checking here makes a client bug visible in tests.

type Check = { readonly kind: 'enum'; readonly values: readonly string[] } | { readonly kind: 'boolean' } | { readonly kind: 'numeric' } | { readonly kind: 'text' };

const text: Check = { kind: 'text' };
const numeric: Check = { kind: 'numeric' };
const boolean: Check = { kind: 'boolean' };

export const PROTOCOLS: Readonly<Record<string, Readonly<Record<string, Check>>>> = {
  rdp: {
    hostname: text,
    port: numeric,
    username: text,
    password: text,
    domain: text,
    security: { kind: 'enum', values: ['any', 'nla', 'nla-ext', 'tls', 'vmconnect', 'rdp'] },
    'ignore-cert': boolean,
    'disable-auth': boolean,
    'server-layout': text,
    'resize-method': { kind: 'enum', values: ['display-update', 'reconnect'] },
    'enable-wallpaper': boolean,
    'color-depth': { kind: 'enum', values: ['8', '16', '24', '32'] },
    'recording-path': text,
  },
  vnc: {
    hostname: text,
    port: numeric,
    username: text,
    password: text,
    'read-only': boolean,
    'color-depth': { kind: 'enum', values: ['8', '16', '24', '32'] },
    encodings: text,
    'recording-path': text,
  },
};

/** Sharing profiles take the subset of the protocol's parameters that sharing allows. */
export const SHARING_PARAMETERS: Readonly<Record<string, Check>> = { 'read-only': boolean };

/** The first problem with `parameters` for `protocol`, as the message of a 400; undefined when fine. */
export function parameterProblem(protocol: string, parameters: Readonly<Record<string, string>>, allowed: Readonly<Record<string, Check>> | undefined = PROTOCOLS[protocol]): string | undefined {
  if (!allowed) return `Unsupported protocol: "${protocol}"`;
  for (const [name, value] of Object.entries(parameters)) {
    if (value === '') continue; // an empty value means "not set" in Guacamole
    const check = allowed[name];
    if (!check) return `Unknown parameter "${name}" for protocol "${protocol}".`;
    if (!valid(check, value)) return `Invalid value "${value}" for parameter "${name}" of protocol "${protocol}".`;
  }
  return undefined;
}

function valid(check: Check, value: string): boolean {
  switch (check.kind) {
    case 'enum':
      return check.values.includes(value);
    case 'boolean':
      return value === 'true';
    case 'numeric':
      return /^\d+$/.test(value) && Number(value) <= 65_535;
    case 'text':
      return true;
  }
}
