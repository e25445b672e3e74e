import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** `sending`: an attempt handed the mail to the server and has not recorded the answer (yet). */
export type MailStatus = 'sending' | 'sent' | 'partially_rejected' | 'failed';

export interface RejectedRow {
  readonly recipient: string;
  readonly responseCode?: number;
  readonly response: string;
}

/**
 * One mail a `send` SubTask (one generation of it) sent or tried to send: integration-worker's record
 * of sent mail, not a projection of Task events. No bodies, no secrets.
 */
@Entity({ name: 'mail_log' })
@Unique('mail_log_sub_task_generation_key', ['subTaskId', 'generation'])
@Index('mail_log_sent_at_idx', ['sentAt'])
export class MailLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'task_id', type: 'text' })
  taskId!: string;

  @Column({ name: 'sub_task_id', type: 'text' })
  subTaskId!: string;

  @Column({ type: 'integer' })
  generation!: number;

  /** `<subTaskId.generation@domain>`: the same for every attempt of a generation. */
  @Column({ name: 'message_id', type: 'text' })
  messageId!: string;

  @Column({ name: 'mail_from', type: 'text' })
  from!: string;

  @Column({ name: 'mail_to', type: 'text', array: true })
  to!: string[];

  @Column({ name: 'mail_cc', type: 'text', array: true, default: () => "'{}'" })
  cc!: string[];

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  status!: MailStatus;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  accepted!: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  rejected!: RejectedRow[];

  /** The server's answer to DATA, or the error of a failed attempt. */
  @Column({ name: 'smtp_response', type: 'text', nullable: true })
  smtpResponse!: string | null;

  /** The attempt that wrote this row (the last one). */
  @Column({ type: 'integer' })
  attempt!: number;

  /** When the server accepted the mail; null while it has not. */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
