// A row is written before the mail is handed to the server (`sending`), so that a redelivery after a
// failed record of the server's answer finds it and does not send the mail twice.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailLogSending1765900000001 implements MigrationInterface {
  name = 'MailLogSending1765900000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE mail_log DROP CONSTRAINT mail_log_status_check`);
    await db.query(`ALTER TABLE mail_log ADD CONSTRAINT mail_log_status_check CHECK (status IN ('sending', 'sent', 'partially_rejected', 'failed'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM mail_log WHERE status = 'sending'`);
    await db.query(`ALTER TABLE mail_log DROP CONSTRAINT mail_log_status_check`);
    await db.query(`ALTER TABLE mail_log ADD CONSTRAINT mail_log_status_check CHECK (status IN ('sent', 'partially_rejected', 'failed'))`);
  }
}
