// The mail log's reads and writes. A row is written once per send SubTask and generation; an attempt
// claims it (`sending`) before it hands the mail to the server; a failed attempt's row is claimed
// again by a later attempt, a delivered or `sending` one never (a stalled worker's late failure must
// not hide that the mail went out, and a mail whose answer is unknown is not sent twice).

import type { DataSource } from 'typeorm';
import { MailLogEntity } from './db/mail-log.entity.js';
import type { MailLogRecord } from './mail-log.mapping.js';

export class MailLog {
  constructor(private readonly db: DataSource) {}

  async find(subTaskId: string, generation: number): Promise<MailLogRecord | undefined> {
    const row = await this.db.getRepository(MailLogEntity).findOneBy({ subTaskId, generation });
    return row ? recordOf(row) : undefined;
  }

  /** Writes the `sending` row of this attempt, or takes over a failed attempt's; false when another attempt has it. */
  async claim(record: MailLogRecord, now: Date): Promise<boolean> {
    return this.upsert(record, now, `m.status = 'failed'`);
  }

  /** Records the outcome over a `sending` or failed row; returns false when a delivered row was already there. */
  async save(record: MailLogRecord, now: Date): Promise<boolean> {
    return this.upsert(record, now, `(m.status = 'sending' AND m.attempt = EXCLUDED.attempt) OR m.status = 'failed'`);
  }

  private async upsert(record: MailLogRecord, now: Date, replaceable: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO mail_log AS m (task_id, sub_task_id, generation, message_id, mail_from, mail_to, mail_cc, subject, status, accepted, rejected, smtp_response, attempt, sent_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
       ON CONFLICT (sub_task_id, generation) DO UPDATE SET
         status = EXCLUDED.status, accepted = EXCLUDED.accepted, rejected = EXCLUDED.rejected, smtp_response = EXCLUDED.smtp_response,
         attempt = EXCLUDED.attempt, sent_at = EXCLUDED.sent_at, updated_at = EXCLUDED.updated_at
       WHERE ${replaceable}
       RETURNING id`,
      [
        record.taskId,
        record.subTaskId,
        record.generation,
        record.messageId,
        record.from,
        record.to,
        record.cc,
        record.subject,
        record.status,
        record.accepted,
        JSON.stringify(record.rejected),
        record.smtpResponse,
        record.attempt,
        record.sentAt,
        now,
      ],
    );
    return rows.length > 0;
  }

  /** Deletes the rows of mails older than `cutoff` (sent then, or last tried then); returns how many. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    // As a SELECT: TypeORM answers a bare DELETE with [rows, count] instead of the rows.
    const [{ deleted }] = await this.db.query(`WITH d AS (DELETE FROM mail_log WHERE COALESCE(sent_at, updated_at) < $1 RETURNING 1) SELECT count(*)::int AS deleted FROM d`, [cutoff]);
    return deleted as number;
  }
}

export function recordOf(row: MailLogEntity): MailLogRecord {
  return {
    taskId: row.taskId,
    subTaskId: row.subTaskId,
    generation: row.generation,
    messageId: row.messageId,
    from: row.from,
    to: row.to,
    cc: row.cc,
    subject: row.subject,
    status: row.status,
    accepted: row.accepted,
    rejected: row.rejected,
    smtpResponse: row.smtpResponse,
    attempt: row.attempt,
    sentAt: row.sentAt,
  };
}
