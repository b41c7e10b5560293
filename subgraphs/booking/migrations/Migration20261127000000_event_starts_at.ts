import { Migration } from '@mikro-orm/migrations';

/**
 * When each event starts, from catalog.event-published (which always carried it): sales close
 * then — no new hold, its seats NOT_ON_SALE, no seats left to book. Null for events projected
 * before this column existed, until catalog announces them again (a reprice or a restart of the
 * relay's backlog): those stay open as before.
 */
export class Migration20261127000000EventStartsAt extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table event_projection add column starts_at timestamptz`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table event_projection drop column starts_at`);
  }
}
