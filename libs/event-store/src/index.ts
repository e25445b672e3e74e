export * from './errors.js';
export * from './connect.js';
export * from './provisioning.js';
export * from './commit-codec.js';
export * from './event-store.js';
export * from './jetstream-event-store.js';
export * from './command-handler.js';
export * from './in-memory-event-store.js';
export { LruCache } from './lru-cache.js';
