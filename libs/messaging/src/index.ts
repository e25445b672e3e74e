export * from './job-handler.js';
export * from './task-commands.js';
export * from './job-runtime.js';
export * from './dead-letter.js';
export { createBenchHandlers } from './bench-handlers.js';
export * from './durable-consumer.js';
export * from './exhausted-deliveries.js';
export * from './job-exhaustion.js';
export * from './job-publisher.js';
