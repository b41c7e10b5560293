import { Migration } from '@mikro-orm/migrations';
import { outboxWakeTriggerSql } from '@eventix/events';

/**
 * The outbox's insert trigger that NOTIFYs the relays on commit (docs/adr/0013-live-latency.md).
 * Schema belongs in migrations: the relay used to create it at start-up, which needed DDL rights
 * at run time. Both statements are `create or replace`, so a database where a relay already
 * installed it takes this as is.
 */
export class Migration20261126010000OutboxWake extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxWakeTriggerSql) this.addSql(sql);
  }
}
