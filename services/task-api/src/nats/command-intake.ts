// Commands over NATS, in two forms (DESIGN §12):
//  - request/reply on `tasks.req.<command>`: the reply is the result or an ErrorReply (core NATS,
//    queue group, so any number of task-api replicas share the load);
//  - durable fire-and-forget on `tasks.cmd.<command>` (TASK_COMMANDS): handled at least once; a
//    command that is refused goes to `dlq.commands` with its reason, never blocking the stream. One
//    that cannot be handled now (NATS trouble) is delivered again with a growing delay, and on its
//    last delivery (max_deliver) dead-lettered with the last error instead of looping.
// The scheduler's deadline commands are requests on `tasks.sys.<command>` only (internal: no
// durable form, no HTTP route).
// Every command carries a bearer token in its `Authorization` header, as on HTTP, with the
// permission of COMMAND_PERMISSIONS: without it the answer is UNAUTHENTICATED or FORBIDDEN (an
// error reply, or a dead letter of the durable command), and nothing is appended. A durable command
// is checked at the time its stream stored it: a token that was valid when it was sent still is when
// task-api, down for an hour, gets to it.
// Each message is handled in a `process <subject>` span continuing the sender's trace (its
// traceparent header), failed with the refusal's code.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { AuthError, can, type Principal, type TokenVerifier } from '@vle/auth';
import { COMMAND_NAMES, Headers, SYSTEM_COMMAND_NAMES, type CommandName, type SystemCommandName, type Topology } from '@vle/contracts';
import { DurableConsumer, publishDeadLetter, Settle, type Logger, type Settlement } from '@vle/messaging';
import { commandsAccepted, commandsRefused } from '@vle/metrics';
import { Attr, extractTraceContext, inSpan, markFailed, natsAttributes, SpanKind, type Span } from '@vle/tracing';
import { internalError, refusalOf } from '../tasks/error-reply.js';
import type { CommandBudget } from '../tasks/command-budget.js';
import { COMMAND_PERMISSIONS } from '../tasks/command-permissions.js';
import type { TaskCommandService } from '../tasks/task-command.service.js';
import type { CommandMessage } from '../tasks/task-ids.js';
import type { BeforeAckHook } from './fault-points.js';

/** Longest wait before a command that could not be handled is delivered again. */
export const COMMAND_RETRY_MAX_DELAY_MS = 30_000;

/** 1 s, doubling per delivery up to 30 s. */
export function commandRetryDelayMs(deliveries: number): number {
  return Math.min(COMMAND_RETRY_MAX_DELAY_MS, 1000 * 2 ** Math.min(Math.max(deliveries - 1, 0), 5));
}

export interface CommandIntakeOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly topology: Topology;
  readonly service: TaskCommandService;
  /** Verifies the token of every command. */
  readonly verifier: TokenVerifier;
  /** Bounds the requests handled at once (the durable intake is bounded by its fetch). */
  readonly budget?: CommandBudget;
  readonly logger: Logger;
  readonly concurrency?: number;
  /** Deliveries after which a command that cannot be handled is dead-lettered; default the consumer's. */
  readonly maxDeliver?: number;
  /** A test-only fault point between the append and the ack (fault-points.ts). */
  readonly beforeAck?: BeforeAckHook;
}

export class CommandIntake {
  private subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly durable: DurableConsumer;

  constructor(private readonly options: CommandIntakeOptions) {
    this.durable = new DurableConsumer({
      js: options.js,
      stream: options.topology.commandStream.name,
      durable: options.topology.commandConsumer.durable_name!,
      name: 'command intake',
      concurrency: options.concurrency ?? 64,
      logger: options.logger,
      handle: (message) => this.handleDurable(message),
    });
  }

  start(): void {
    if (this.subscriptions.length > 0) return;
    const { nc, topology } = this.options;
    for (const command of COMMAND_NAMES) {
      const sub = nc.subscribe(topology.requestSubject(command), { queue: 'task-api' });
      this.subscriptions.push(sub);
      void this.respond(sub, command);
    }
    for (const command of SYSTEM_COMMAND_NAMES) {
      const sub = nc.subscribe(topology.systemRequestSubject(command), { queue: 'task-api' });
      this.subscriptions.push(sub);
      void this.respond(sub, command);
    }
    this.durable.start();
  }

  async stop(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.subscriptions = [];
    await this.durable.stop();
    await Promise.allSettled(this.inFlight);
  }

  /** The verified sender of a command that carries its permission; throws AuthError. */
  private async callerOf(command: CommandName | SystemCommandName, headers: MsgHdrs | undefined, at?: Date): Promise<Principal> {
    const caller = await this.options.verifier.fromAuthorization(headers?.get(Headers.authorization) || undefined, at);
    const needed = COMMAND_PERMISSIONS[command];
    if (!can(caller, needed)) throw AuthError.missing(needed);
    return caller;
  }

  private run(command: CommandName | SystemCommandName, data: Uint8Array, caller: Principal, source?: CommandMessage) {
    const { service } = this.options;
    switch (command) {
      case 'create':
        return service.create(data, caller, source);
      case 'retry':
        return service.retry(data, caller);
      case 'skip':
        return service.skip(data, caller);
      case 'cancel':
        return service.cancel(data, caller);
      case 'pin':
        return service.pin(data, caller);
      case 'unpin':
        return service.unpin(data, caller);
      default:
        return service.deadline(command, data, caller);
    }
  }

  private async respond(sub: Subscription, command: CommandName | SystemCommandName): Promise<void> {
    for await (const msg of sub) {
      const work = this.reply(msg, command).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
  }

  private reply(msg: Msg, command: CommandName | SystemCommandName): Promise<void> {
    return inSpan({ name: `process ${msg.subject}`, kind: SpanKind.SERVER, entry: true, parent: extractTraceContext(msg.headers), attributes: natsAttributes(msg.subject, 'process') }, (span) => this.replyIn(span, msg, command));
  }

  private async replyIn(span: Span, msg: Msg, command: CommandName | SystemCommandName): Promise<void> {
    if (!msg.reply) {
      markFailed(span, 'NO_REPLY_SUBJECT');
      this.options.logger.warn(`request on ${msg.subject} without a reply subject ignored (a command over NATS is a request, or a publish on tasks.cmd.<command>)`);
      return;
    }
    try {
      const work = async (): Promise<unknown> => this.run(command, msg.data, await this.callerOf(command, msg.headers));
      msg.respond(JSON.stringify(await (this.options.budget ? this.options.budget.run(msg.data.length, work) : work())));
      commandsAccepted.inc({ command, transport: 'nats_request' });
    } catch (error) {
      const refusal = refusalOf(error) ?? internalError(error);
      markFailed(span, refusal.body.code);
      commandsRefused.inc({ command, transport: 'nats_request', code: refusal.body.code });
      if (refusal.status >= 500 && refusal.body.code !== 'BUSY') this.options.logger.error(`${command} request failed: ${String(error)}`);
      msg.respond(JSON.stringify({ error: refusal.body }));
    }
  }

  private handleDurable(message: JsMsg): Promise<Settlement> {
    const attributes = { ...natsAttributes(message.subject, 'process'), [Attr.attempt]: message.info.deliveryCount };
    return inSpan({ name: `process ${message.subject}`, kind: SpanKind.CONSUMER, entry: true, parent: extractTraceContext(message.headers), attributes }, (span) => this.settleDurable(message, span));
  }

  private async settleDurable(message: JsMsg, span: Span): Promise<Settlement> {
    const { js, topology, logger } = this.options;
    const command = message.subject.slice(topology.commandSubject('' as CommandName).length) as CommandName;
    try {
      if (!(COMMAND_NAMES as readonly string[]).includes(command)) throw Object.assign(new Error(`unknown command "${command}"`), { code: 'UNKNOWN_COMMAND' });
      const caller = await this.callerOf(command, message.headers, new Date(Number(message.timestampNanos / 1_000_000n)));
      await this.run(command, message.data, caller, { stream: message.info.stream, seq: message.seq, storedAtNanos: message.timestampNanos });
      commandsAccepted.inc({ command, transport: 'nats_stream' });
      this.options.beforeAck?.();
      return Settle.ack;
    } catch (error) {
      const refusal = refusalOf(error) ?? (hasCode(error, 'UNKNOWN_COMMAND') ? { status: 400, body: { code: 'UNKNOWN_COMMAND', message: (error as Error).message } } : undefined);
      const deliveries = message.info.deliveryCount;
      const maxDeliver = this.options.maxDeliver ?? topology.commandConsumer.max_deliver ?? -1;
      markFailed(span, refusal?.body.code ?? 'NOT_HANDLED');
      if (!refusal && (maxDeliver <= 0 || deliveries < maxDeliver)) {
        const delayMs = commandRetryDelayMs(deliveries);
        logger.warn(`command ${message.subject}#${message.seq} not handled yet (${String(error)}); it is delivered again in ${delayMs} ms`);
        return Settle.nak(delayMs);
      }
      if (!refusal) {
        const reason = `not handled in ${deliveries} deliveries (max_deliver); last error: ${String(error)}`;
        await publishDeadLetter(js, { source: 'commands', deadLetterSubject: topology.deadLetterSubject('commands'), code: 'MAX_DELIVERIES', reason, message });
        commandsRefused.inc({ command: labelOf(command), transport: 'nats_stream', code: 'MAX_DELIVERIES' });
        logger.error(`command ${message.subject}#${message.seq} ${reason}; dead-lettered`);
        return Settle.term;
      }
      await publishDeadLetter(js, { source: 'commands', deadLetterSubject: topology.deadLetterSubject('commands'), code: refusal.body.code, reason: refusal.body.message, message });
      commandsRefused.inc({ command: labelOf(command), transport: 'nats_stream', code: refusal.body.code });
      logger.warn(`command ${message.subject}#${message.seq} refused (${refusal.body.code}: ${refusal.body.message}); dead-lettered`);
      return Settle.term;
    }
  }
}

/** The command label of a stream message: its subject's last token is anyone's to choose, a label's values are bounded. */
function labelOf(command: string): string {
  return (COMMAND_NAMES as readonly string[]).includes(command) ? command : 'unknown';
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
