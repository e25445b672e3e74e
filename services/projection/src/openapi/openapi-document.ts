// The machine-readable description of every HTTP route of vle-tasks (OpenAPI 3.1), served on the one
// origin at GET /api/v1/openapi.json. The operations are listed here; the schemas of the answers are
// generated from their TypeScript types (answer-schemas.generated.ts, scripts/openapi.js). The test
// (openapi.int.spec.ts) checks that the routes the services serve are exactly these, that the
// document is valid OpenAPI 3.1, and that real answers match their schemas.

import { ANSWER_SCHEMAS } from './answer-schemas.generated.js';

type Service = 'projection' | 'task-api';

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly description: string;
  readonly required?: boolean;
  readonly schema?: object;
}

export interface Operation {
  /** Who serves it: a command route is task-api's, and the projection (the one origin) forwards it. */
  readonly services: readonly Service[];
  readonly method: 'get' | 'post';
  /** Express style, as the routes are declared: /api/v1/tasks/:id */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** The permission the token needs; 'authenticated': any valid token; undefined: no token needed. */
  readonly permission?: string;
  readonly parameters?: readonly Parameter[];
  /** The command routes take a JSON body (proto/vle/tasks/v1/commands.proto, as JSON). */
  readonly body?: string;
  /** The success status and its body: a schema name, or a media type with a description. */
  readonly ok: { readonly status: number; readonly schema?: string; readonly media?: string; readonly description: string };
  /** Refusals beyond 400/401/403 that the route gives. */
  readonly errors?: readonly number[];
}

const q = (name: string, description: string, schema: object = { type: 'string' }): Parameter => ({ name, in: 'query', description, schema });
const p = (name: string, description: string): Parameter => ({ name, in: 'path', description, required: true, schema: { type: 'string' } });

const LIST_FILTERS: readonly Parameter[] = [
  q('q', 'a query of the search language (services/projection/README.md, "The search language")'),
  q('silent', 'true: show the silent Tasks too (the scheduler\'s periodic Tasks that succeeded)', { enum: ['true', 'false'] }),
  q('status', 'Task statuses, comma-separated or repeated'),
  q('createdBy', 'who created it'),
  q('from', 'created at or after (a date or an ISO time with a zone)'),
  q('to', 'created before'),
  q('updatedSince', 'changed at or after'),
  q('name', 'a case-insensitive part of the name'),
  q('type', 'typed command types, comma-separated'),
  q('objectType', 'with objectId: the object\'s type; alone: the type of the Task\'s own object'),
  q('objectId', 'an object the Task or any of its SubTasks is about'),
  q('eventId', 'the lab event'),
  q('originTaskId', 'the Task that started it'),
  q('queue', 'a queue of any of its SubTasks (needs sub_tasks_read)'),
  q('responseCode', 'a response code of any of its SubTasks (needs sub_tasks_read)'),
];
const PAGE = [q('limit', '1..500 (50)', { type: 'integer', minimum: 1, maximum: 500 }), q('cursor', 'nextCursor of the page before')];
const TASK = p('id', 'the Task id (uuid)');
const COMMAND_TASK = p('taskId', 'the Task id (uuid)');
const SUBTASK = p('subTaskId', 'the SubTask id');
const AT = q('at', 'as of this time (ISO, default now)');

export const OPERATIONS: readonly Operation[] = [
  { services: ['projection'], method: 'get', path: '/api/v1/tasks', operationId: 'listTasks', summary: 'The Tasks, newest first, filtered', permission: 'tasks_read', parameters: [...LIST_FILTERS, ...PAGE], ok: { status: 200, schema: 'TaskPage', description: 'a page' }, errors: [503] },
  { services: ['projection'], method: 'get', path: '/api/v1/tasks/stream', operationId: 'streamTasks', summary: 'The list live, as server-sent events (ready, task, leave, reset, expired, closed)', permission: 'tasks_read', parameters: [...LIST_FILTERS, { name: 'Last-Event-ID', in: 'header', description: 'resume after this event id', schema: { type: 'string' } }], ok: { status: 200, media: 'text/event-stream', description: 'events until the token expires' }, errors: [503] },
  { services: ['projection'], method: 'get', path: '/api/v1/tasks/export.csv', operationId: 'exportTasks', summary: 'The list as CSV, streamed and capped', permission: 'tasks_read', parameters: [...LIST_FILTERS, q('limit', 'the most rows'), q('subtasks', 'true: one row per SubTask (needs sub_tasks_read)', { enum: ['true', 'false'] })], ok: { status: 200, media: 'text/csv', description: 'RFC 4180, UTF-8' }, errors: [503] },
  { services: ['projection'], method: 'get', path: '/api/v1/tasks/:id', operationId: 'getTask', summary: 'A Task with its children and (with sub_tasks_read) its SubTasks', permission: 'tasks_read', parameters: [TASK], ok: { status: 200, schema: 'TaskDetailView', description: 'the Task' }, errors: [404, 503] },
  { services: ['projection'], method: 'get', path: '/api/v1/tasks/:id/history', operationId: 'getTaskHistory', summary: "A Task's events and attempts, from the event log", permission: 'tasks_read', parameters: [TASK, q('afterSeq', 'the page after this sequence'), q('limit', 'events per page')], ok: { status: 200, schema: 'TaskHistory', description: 'a page of the history' }, errors: [404] },
  { services: ['projection'], method: 'get', path: '/api/v1/tasks/:id/subtasks/:subTaskId', operationId: 'getSubTask', summary: 'A SubTask with its parent Task and its attempts', permission: 'sub_tasks_read', parameters: [TASK, SUBTASK], ok: { status: 200, schema: 'SubTaskDetailView', description: 'the SubTask' }, errors: [404] },
  { services: ['projection'], method: 'get', path: '/api/v1/tasks/:id/report.html', operationId: 'getTaskReport', summary: 'A Task and its history as a self-contained HTML page', permission: 'tasks_read', parameters: [TASK], ok: { status: 200, media: 'text/html', description: 'the report' }, errors: [404] },
  { services: ['projection'], method: 'get', path: '/api/v1/stats', operationId: 'getStats', summary: 'Counts by status, backlog per queue, failures grouped by cause', permission: 'tasks_read', parameters: [q('from', 'the period\'s start'), q('to', 'its end'), q('interval', 'hour or day buckets', { enum: ['hour', 'day'] })], ok: { status: 200, schema: 'StatsView', description: 'the stats' }, errors: [503] },
  { services: ['projection'], method: 'get', path: '/api/v1/retention/preview', operationId: 'previewRetention', summary: 'What a retention run would delete (dry run)', permission: 'tasks_admin', parameters: [AT], ok: { status: 200, schema: 'RetentionPreview', description: 'the dry run' } },
  { services: ['projection'], method: 'post', path: '/api/v1/retention/run', operationId: 'runRetention', summary: 'Runs the retention now, on the leader', permission: 'tasks_admin', parameters: [AT], ok: { status: 201, schema: 'RetentionRunResult', description: 'what it deleted' }, errors: [503] },
  { services: ['projection'], method: 'get', path: '/api/v1/dead-letters', operationId: 'listDeadLetters', summary: 'Dead letters of commands and jobs, newest first, secrets masked', permission: 'tasks_admin', parameters: [q('before', 'the page before this sequence'), q('limit', '1..200 (50)'), q('source', 'commands, jobs, jobs.<queue>, inventory.pve, deadlines'), q('code', 'a code'), q('since', 'stored at or after'), q('until', 'stored before')], ok: { status: 200, schema: 'DeadLetterPage', description: 'a page' } },
  { services: ['projection'], method: 'get', path: '/api/v1/dead-letters/summary', operationId: 'summarizeDeadLetters', summary: 'Dead letters counted by source and code', permission: 'tasks_admin', ok: { status: 200, schema: 'DeadLetterSummary', description: 'the counts' } },
  { services: ['projection'], method: 'get', path: '/api/v1/dead-letters/:seq', operationId: 'getDeadLetter', summary: 'One dead letter', permission: 'tasks_admin', parameters: [p('seq', 'its stream sequence')], ok: { status: 200, schema: 'DeadLetterItem', description: 'the dead letter' }, errors: [404] },
  { services: ['projection'], method: 'get', path: '/api/v1/projection/status', operationId: 'getProjectionStatus', summary: "This replica's projection counters and the lag", permission: 'tasks_admin', ok: { status: 200, schema: 'ProjectionStatus', description: 'the status' } },
  { services: ['projection'], method: 'get', path: '/api/v1/proxmox/nodes', operationId: 'listProxmoxNodes', summary: 'The Proxmox nodes of the last node sync', permission: 'inventory_read', ok: { status: 200, schema: 'PveNodesResponse', description: 'the nodes' } },
  { services: ['projection'], method: 'get', path: '/api/v1/proxmox/vms', operationId: 'listProxmoxVms', summary: 'The VMs and templates of the last node sync', permission: 'inventory_read', parameters: [q('node', 'a node'), q('template', 'true or false'), q('status', 'a VM status'), q('pool', 'a pool')], ok: { status: 200, schema: 'PveVmsResponse', description: 'the VMs' } },
  { services: ['projection'], method: 'get', path: '/api/v1/proxmox/vms/:vmid', operationId: 'getProxmoxVm', summary: 'One VM or template', permission: 'inventory_read', parameters: [p('vmid', 'the VMID')], ok: { status: 200, schema: 'PveVmView', description: 'the VM' }, errors: [404] },
  { services: ['projection'], method: 'get', path: '/api/v1/me', operationId: 'getMe', summary: 'The caller: its subject, permissions, scope and expiry, as verified', permission: 'authenticated', ok: { status: 200, schema: 'MeView', description: 'the caller' } },
  { services: ['projection'], method: 'get', path: '/api/v1/openapi.json', operationId: 'getApiDescription', summary: 'This description', ok: { status: 200, media: 'application/json', description: 'OpenAPI 3.1' } },
  { services: ['projection', 'task-api'], method: 'post', path: '/api/v1/tasks', operationId: 'createTask', summary: 'Creates a Task: a DAG of SubTasks, or a typed command', permission: 'tasks_create', body: 'CreateTask', ok: { status: 201, schema: 'CreateTaskResult', description: 'created (200 when the idempotency key named an existing Task)' }, errors: [409, 413, 415, 503] },
  { services: ['projection', 'task-api'], method: 'post', path: '/api/v1/tasks/:taskId/subtasks/:subTaskId/retry', operationId: 'retrySubTask', summary: 'Runs a failed SubTask again', permission: 'sub_tasks_retry', parameters: [COMMAND_TASK, SUBTASK], body: 'RetrySubTask', ok: { status: 202, schema: 'TaskCommandResult', description: 'recorded' }, errors: [404, 409, 503] },
  { services: ['projection', 'task-api'], method: 'post', path: '/api/v1/tasks/:taskId/subtasks/:subTaskId/skip', operationId: 'skipSubTask', summary: 'Lets the Task go on without a failed or waiting SubTask', permission: 'sub_tasks_skip', parameters: [COMMAND_TASK, SUBTASK], body: 'SkipSubTask', ok: { status: 202, schema: 'TaskCommandResult', description: 'recorded' }, errors: [404, 409, 503] },
  { services: ['projection', 'task-api'], method: 'post', path: '/api/v1/tasks/:taskId/cancel', operationId: 'cancelTask', summary: 'Cancels a Task', permission: 'tasks_cancel', parameters: [COMMAND_TASK], body: 'CancelTask', ok: { status: 202, schema: 'TaskCommandResult', description: 'recorded' }, errors: [404, 409, 503] },
  { services: ['projection', 'task-api'], method: 'post', path: '/api/v1/tasks/:taskId/pin', operationId: 'pinTask', summary: 'Keeps a Task from the retention', permission: 'tasks_pin', parameters: [COMMAND_TASK], body: 'PinTask', ok: { status: 202, schema: 'TaskCommandResult', description: 'recorded' }, errors: [404, 409, 503] },
  { services: ['projection', 'task-api'], method: 'post', path: '/api/v1/tasks/:taskId/unpin', operationId: 'unpinTask', summary: 'Lets the retention apply to a Task again', permission: 'tasks_pin', parameters: [COMMAND_TASK], body: 'UnpinTask', ok: { status: 202, schema: 'TaskCommandResult', description: 'recorded' }, errors: [404, 409, 503] },
  { services: ['projection', 'task-api'], method: 'get', path: '/health/live', operationId: 'live', summary: 'The process is up (each service answers its own)', ok: { status: 200, media: 'application/json', description: 'live' } },
  { services: ['projection', 'task-api'], method: 'get', path: '/health/ready', operationId: 'ready', summary: 'NATS (and PostgreSQL) answer (each service answers its own)', ok: { status: 200, schema: 'ReadinessReport', description: 'ready' }, errors: [503] },
];

const ERROR_STATUS: Readonly<Record<number, string>> = {
  400: 'a bad request: the body names each bad field (violations)',
  401: 'no valid token (UNAUTHENTICATED, with WWW-Authenticate)',
  403: 'the token lacks the permission, or its scope forbids it (FORBIDDEN)',
  404: 'not found, or outside the token\'s scope',
  409: 'a rule of the Task refuses it',
  413: 'the body is too large',
  415: 'the body is not JSON',
  503: 'busy, a dependency is down, or the query took too long (QUERY_TIMEOUT)',
};

/** `/api/v1/tasks/:id` as OpenAPI writes it: `/api/v1/tasks/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function operationObject(o: Operation): object {
  const content = o.ok.schema ? { 'application/json': { schema: { $ref: `#/components/schemas/${o.ok.schema}` } } } : { [o.ok.media!]: {} };
  const errors = o.permission === undefined ? (o.errors ?? []) : o.permission === 'authenticated' ? [401, ...(o.errors ?? [])] : [400, 401, 403, ...(o.errors ?? [])];
  const needs = o.permission === 'authenticated' ? 'Needs a valid token, whatever it grants.' : `Needs the permission \`${o.permission}\`.`;
  return {
    operationId: o.operationId,
    summary: o.summary,
    tags: [o.method === 'post' && o.services.includes('task-api') ? 'commands' : o.path.startsWith('/health') ? 'health' : 'queries'],
    ...(o.permission === undefined ? { security: [] } : { description: needs, security: [{ bearer: [] }] }),
    ...(o.parameters ? { parameters: o.parameters } : {}),
    ...(o.body
      ? { requestBody: { required: o.body === 'CreateTask', description: `vle.tasks.v1.${o.body} (proto/vle/tasks/v1/commands.proto) as JSON`, content: { 'application/json': { schema: { type: 'object' } } } } }
      : {}),
    responses: {
      [o.ok.status]: { description: o.ok.description, content },
      ...Object.fromEntries(errors.map((status) => [status, { description: ERROR_STATUS[status] ?? 'refused', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorReplyBody' } } } }])),
    },
  };
}

/** The whole description; `version` is the service's. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, object>> = {};
  for (const o of OPERATIONS) {
    const path = openApiPath(o.path);
    paths[path] = { ...paths[path], [o.method]: operationObject(o) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'vle-tasks',
      version,
      description: 'The task system of OpenVLE. Every route is on one origin (the projection, which forwards the commands to task-api): README.md, "One origin".',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: ANSWER_SCHEMAS },
  };
}
