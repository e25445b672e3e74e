export * from './namespace.js';
export * from './wait-for.js';
export * from './database.js';
export * from './service-process.js';
export * from './nats-cleanup.js';
export * from './nats-server.js';
export * from './tokens.js';
export * from './event-stream.js';
