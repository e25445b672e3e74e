// The published development identity: the secret every service verifies with when no key is
// configured, refused under NODE_ENV=production (as LAB_CREDENTIALS_KEY's development key is). It is
// public on purpose (README): a token signed with it opens a laptop's sandbox and nothing else.

export const DEV_AUTH_JWT_SECRET = 'vle-tasks-development-only-jwt-secret-not-for-production';

/** Who issues the tokens (OpenVLE's backend) and whom they are for, unless configured otherwise. */
export const DEFAULT_ISSUER = 'openvle';
export const DEFAULT_AUDIENCE = 'vle-tasks';
