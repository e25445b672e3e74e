// The client: one method per operation of the API (routes.ts), plus iterators over keyset pages and
// the ways of following a Task. Queries go over HTTP; commands over HTTP too, or over NATS with
// `commands: natsCommands({ connection })` of '@openvle/tasks-client/nats'.

import { HttpCommands, type CommandCallOptions, type CommandTransport } from './command-transport.js';
import type { CreateTaskCommand, Reason, RequestedBy } from './commands.js';
import { HttpClient, type CallOptions, type HttpOptions, type Query } from './http.js';
import { liveEvents, type LiveEvent, type LiveStreamOptions } from './live-stream.js';
import { taskIdQuery } from './search.js';
import { followTask, waitForTask, type FollowOptions, type WaitOptions } from './task-watch.js';
import type {
  CreateTaskResult,
  DeadLetterFilters,
  DeadLetterItem,
  DeadLetterListOptions,
  DeadLetterPage,
  DeadLetterSummary,
  ExportOptions,
  HistoryOptions,
  MeView,
  ProjectionStatus,
  ProxmoxVmFilters,
  PveNodesResponse,
  PveVmsResponse,
  PveVmView,
  RetentionOptions,
  RetentionPreview,
  RetentionRunResult,
  StatsOptions,
  StatsView,
  SubTaskDetailView,
  TaskCommandResult,
  TaskDetailView,
  TaskFilters,
  TaskHistory,
  TaskListItem,
  TaskListOptions,
  TaskPage,
  TaskView,
} from './types.js';

export interface TasksClientOptions extends HttpOptions {
  /** How the commands go: over HTTP (the default) or `natsCommands({ connection })`. */
  readonly commands?: CommandTransport;
}

export interface PageOptions extends CallOptions {
  /** Items per request (the API's `limit`). */
  readonly pageSize?: number;
}

/** A client of vle-tasks; see the package's README for each method. */
export function createTasksClient(options: TasksClientOptions): TasksClient {
  return new TasksClient(options);
}

export class TasksClient {
  private readonly http: HttpClient;
  /** The transport of the commands: `http` or `nats`. */
  readonly commands: CommandTransport;

  constructor(private readonly options: TasksClientOptions) {
    this.http = new HttpClient(options);
    this.commands = options.commands ?? new HttpCommands(this.http);
  }

  private command(options: CallOptions): CommandCallOptions {
    return { ...options, ...(this.options.token === undefined ? {} : { token: this.options.token }) };
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Creates a Task: an explicit DAG (`subtasks`) or a typed command (`type`, `params`). */
  createTask(command: CreateTaskCommand, options: CallOptions = {}): Promise<CreateTaskResult> {
    return this.commands.send('create', command, this.command(options));
  }

  /** Creates a Task and waits for it to finish (see waitForTask). */
  async runTask(command: CreateTaskCommand, options: WaitOptions = {}): Promise<TaskView> {
    const { taskId } = await this.createTask(command, { ...(options.signal ? { signal: options.signal } : {}), ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }) });
    return this.waitForTask(taskId, options);
  }

  /** Runs a failed (or timed-out) SubTask again; the SubTasks waiting on it run once it succeeds. */
  retrySubTask(taskId: string, subTaskId: string, body: RequestedBy = {}, options: CallOptions = {}): Promise<TaskCommandResult> {
    return this.commands.send('retry', { ...body, taskId, subTaskId }, this.command(options));
  }

  /** Lets the Task go on without a failed, timed-out or blocked SubTask; the Task ends `warning` at best. */
  skipSubTask(taskId: string, subTaskId: string, body: Reason = {}, options: CallOptions = {}): Promise<TaskCommandResult> {
    return this.commands.send('skip', { ...body, taskId, subTaskId }, this.command(options));
  }

  /** Cancels a Task: steps not yet running at once, running ones when they finish (`cancelling` meanwhile). */
  cancelTask(taskId: string, body: Reason = {}, options: CallOptions = {}): Promise<TaskCommandResult> {
    return this.commands.send('cancel', { ...body, taskId }, this.command(options));
  }

  /** Keeps a Task from the retention, however old it gets. */
  pinTask(taskId: string, body: Reason = {}, options: CallOptions = {}): Promise<TaskCommandResult> {
    return this.commands.send('pin', { ...body, taskId }, this.command(options));
  }

  unpinTask(taskId: string, body: Reason = {}, options: CallOptions = {}): Promise<TaskCommandResult> {
    return this.commands.send('unpin', { ...body, taskId }, this.command(options));
  }

  // ---- Tasks ----------------------------------------------------------------------------------

  /** One page of the list, newest first; `q` takes the search language. */
  listTasks(query: TaskListOptions = {}, options: CallOptions = {}): Promise<TaskPage> {
    return this.http.json('listTasks', { query: query as Query }, options);
  }

  /** Every Task of the list, page after page (keyset pages: a Task created meanwhile is not repeated). */
  async *tasks(filters: TaskFilters = {}, options: PageOptions = {}): AsyncGenerator<TaskListItem, void, undefined> {
    const { pageSize, ...call } = options;
    let cursor: string | null = null;
    do {
      const page: TaskPage = await this.listTasks({ ...filters, ...(pageSize === undefined ? {} : { limit: pageSize }), ...(cursor === null ? {} : { cursor }) }, call);
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  /** A Task with its children and (with `sub_tasks_read`) its SubTasks; NotFoundError outside the token's scope. */
  getTask(taskId: string, options: CallOptions = {}): Promise<TaskDetailView> {
    return this.http.json('getTask', { path: { id: taskId } }, options);
  }

  /** One page of a Task's history (its events and attempts, from the event log). */
  getTaskHistory(taskId: string, query: HistoryOptions = {}, options: CallOptions = {}): Promise<TaskHistory> {
    return this.http.json('getTaskHistory', { path: { id: taskId }, query }, options);
  }

  /** Every page of a Task's history, in log order. */
  async *taskHistoryPages(taskId: string, query: HistoryOptions = {}, options: CallOptions = {}): AsyncGenerator<TaskHistory, void, undefined> {
    let afterSeq: number | null = query.afterSeq ?? null;
    do {
      const page: TaskHistory = await this.getTaskHistory(taskId, { ...query, ...(afterSeq === null ? {} : { afterSeq }) }, options);
      yield page;
      afterSeq = page.nextAfterSeq;
    } while (afterSeq !== null);
  }

  /** A SubTask with its parent Task and every attempt (`sub_tasks_read`). */
  getSubTask(taskId: string, subTaskId: string, options: CallOptions = {}): Promise<SubTaskDetailView> {
    return this.http.json('getSubTask', { path: { id: taskId, subTaskId } }, options);
  }

  /** A Task and its history as a self-contained HTML page. */
  getTaskReport(taskId: string, options: CallOptions = {}): Promise<string> {
    return this.http.text('getTaskReport', { path: { id: taskId }, accept: 'text/html' }, options);
  }

  /** The list as CSV (RFC 4180), capped by `limit`; one row per SubTask with `subtasks: true`. */
  exportTasks(query: ExportOptions = {}, options: CallOptions = {}): Promise<string> {
    return this.http.text('exportTasks', { query: query as Query, accept: 'text/csv' }, options);
  }

  /** Counts by status over a period, the backlog per queue and failures by cause. */
  getStats(query: StatsOptions = {}, options: CallOptions = {}): Promise<StatsView> {
    return this.http.json('getStats', { query }, options);
  }

  // ---- live -----------------------------------------------------------------------------------

  /** The list live (server-sent events), reconnecting with Last-Event-ID; end it with `options.signal` or a break. */
  streamTasks(filters: TaskFilters = {}, options: LiveStreamOptions = {}): AsyncGenerator<LiveEvent, void, undefined> {
    return liveEvents(this.http, filters as Query, options);
  }

  /** One Task each time it changes, from now until it is finished. */
  followTask(taskId: string, options: FollowOptions = {}): AsyncGenerator<TaskView, void, undefined> {
    return followTask(this.taskSource(), taskId, options);
  }

  /** The Task once finished; TaskWaitTimeoutError after `timeoutMs` (default 5 minutes). */
  waitForTask(taskId: string, options: WaitOptions = {}): Promise<TaskView> {
    return waitForTask(this.taskSource(), taskId, options);
  }

  private taskSource() {
    return {
      readTask: (taskId: string, options: CallOptions) => this.getTask(taskId, options),
      // Silent Tasks (a periodic Task that succeeded) are left out of a stream unless asked for.
      streamTask: (taskId: string, options: LiveStreamOptions) => this.streamTasks({ q: taskIdQuery(taskId), silent: true }, options),
    };
  }

  // ---- retention, dead letters, operations (tasks_admin) ---------------------------------------

  /** What a retention run would delete now (or as of `at`): the dry run. */
  previewRetention(query: RetentionOptions = {}, options: CallOptions = {}): Promise<RetentionPreview> {
    return this.http.json('previewRetention', { query }, options);
  }

  /** Runs the retention now, on the projection's leader. */
  runRetention(query: RetentionOptions = {}, options: CallOptions = {}): Promise<RetentionRunResult> {
    return this.http.json('runRetention', { query }, options);
  }

  /** One page of dead letters, newest first. */
  listDeadLetters(query: DeadLetterListOptions = {}, options: CallOptions = {}): Promise<DeadLetterPage> {
    return this.http.json('listDeadLetters', { query: query as Query }, options);
  }

  /** Every dead letter matching the filters, newest first, page after page. */
  async *deadLetters(filters: DeadLetterFilters = {}, options: PageOptions = {}): AsyncGenerator<DeadLetterItem, void, undefined> {
    const { pageSize, ...call } = options;
    let before: number | null = null;
    do {
      const page: DeadLetterPage = await this.listDeadLetters({ ...filters, ...(pageSize === undefined ? {} : { limit: pageSize }), ...(before === null ? {} : { before }) }, call);
      yield* page.items;
      before = page.nextBefore;
    } while (before !== null);
  }

  summarizeDeadLetters(options: CallOptions = {}): Promise<DeadLetterSummary> {
    return this.http.json('summarizeDeadLetters', {}, options);
  }

  /** One dead letter with its whole JSON payload. */
  getDeadLetter(seq: number, options: CallOptions = {}): Promise<DeadLetterItem> {
    return this.http.json('getDeadLetter', { path: { seq } }, options);
  }

  /** The projection replica's counters and its lag behind the event log. */
  getProjectionStatus(options: CallOptions = {}): Promise<ProjectionStatus> {
    return this.http.json('getProjectionStatus', {}, options);
  }

  // ---- Proxmox inventory (inventory_read) -------------------------------------------------------

  listProxmoxNodes(options: CallOptions = {}): Promise<PveNodesResponse> {
    return this.http.json('listProxmoxNodes', {}, options);
  }

  listProxmoxVms(query: ProxmoxVmFilters = {}, options: CallOptions = {}): Promise<PveVmsResponse> {
    return this.http.json('listProxmoxVms', { query }, options);
  }

  getProxmoxVm(vmid: number, options: CallOptions = {}): Promise<PveVmView> {
    return this.http.json('getProxmoxVm', { path: { vmid } }, options);
  }

  // ---- the caller, the description --------------------------------------------------------------

  /** Who the token says the caller is: subject, permissions, scope, expiry. */
  getMe(options: CallOptions = {}): Promise<MeView> {
    return this.http.json('getMe', {}, options);
  }

  /** The API description (OpenAPI 3.1) the server runs. */
  getApiDescription(options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.http.json('getApiDescription', {}, options);
  }
}
