// @openvle/tasks-client: a typed client of vle-tasks over HTTP (and its commands over NATS with
// '@openvle/tasks-client/nats'). README.md describes every operation.

export { createTasksClient, TasksClient, type PageOptions, type TasksClientOptions } from './client.js';
export type { CallOptions, HttpOptions } from './http.js';
export type { TokenSource } from './token.js';
export type { CommandCallOptions, CommandReplies, CommandTransport } from './command-transport.js';
export type { LiveEvent, LiveStreamOptions } from './live-stream.js';
export type { FollowOptions, WaitOptions } from './task-watch.js';
export { searchValue, taskIdQuery } from './search.js';
export { ROUTES, OMITTED_OPERATIONS, type ImplementedOperation, type OperationId, type Route } from './routes.js';
export * from './errors.js';
export * from './commands.js';
export * from './types.js';
export type { components, operations, paths } from './generated/openapi.js';
