import { Migration } from '@mikro-orm/migrations';

/**
 * Issue #15: the lone-seat rule is an event setting. Events that exist already keep selling as
 * they did (ALLOW); events created from now on default to PREVENT.
 */
export class Migration20261125100000SingleSeatRule extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table event add column single_seat_rule text not null default 'ALLOW' check (single_seat_rule in ('ALLOW', 'PREVENT'))`);
    this.addSql(`alter table event alter column single_seat_rule set default 'PREVENT'`);
  }
}
