import { Migration } from '@mikro-orm/migrations';

/**
 * Who organizes each event: the subject of the token that created it. Only that organizer (or
 * platform staff with catalog:admin) publishes, reprices, changes or cancels it, and only they
 * see it while it is a draft. Null for events created before this column existed and for the
 * launcher's demo seed: those stay manageable by every organizer, as before.
 */
export class Migration20261127100000EventOrganizer extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table event add column organizer_id text`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table event drop column organizer_id`);
  }
}
