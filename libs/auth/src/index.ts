export * from './development.js';
export * from './auth-error.js';
export * from './mint-token.js';
export * from './permissions.js';
export * from './principal.js';
export * from './token-verifier.js';
export * from './service-credentials.js';
