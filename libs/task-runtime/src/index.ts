export * from './task-runtime.js';
export * from './worker.module.js';
