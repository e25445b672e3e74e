export * from './job-handler.js';
export * from './task-commands.js';
export * from './job-runtime.js';
export * from './dead-letter.js';
export { createBenchHandlers } from './bench-handlers.js';
export * from './durable-consumer.js';
export * from './pve-inventory.js';
export * from './task-creator.js';
export * from './exhausted-deliveries.js';
