export * from './queues.js';
export * from './topology.js';
export * from './headers.js';
export * from './errors.js';
export * from './validation.js';
export * from './gen/vle/tasks/v1/commands_pb.js';
export * from './gen/vle/tasks/v1/events_pb.js';
export * from './gen/vle/tasks/v1/jobs_pb.js';
