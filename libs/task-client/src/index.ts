export * from './task-creator.js';
