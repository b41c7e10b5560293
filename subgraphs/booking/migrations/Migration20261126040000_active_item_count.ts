import { Migration } from '@mikro-orm/migrations';

/**
 * An event's count of active booking items (PENDING or CONFIRMED), kept on its projection row so
 * that `availableSeatCount` — read for every event of every events list — is one row and the
 * event's few overdue holds, not a count of every ticket sold (15,000 rows, ~5–10 ms of
 * PostgreSQL, for a stadium on sale).
 *
 * Kept by triggers, so no write path can forget it: a statement-level trigger on booking_item
 * sums the statement's change per event (from its transition tables) into
 * active_item_change_pending, and a deferred constraint trigger adds it to event_projection at
 * commit — as the seat map version is assigned (Migration20261126000000), the event's hot row
 * is locked only while the commit runs, never across a round trip. PostgreSQL allows transition
 * tables on single-event triggers only, hence one trigger per operation. A change that does not
 * move the count (a hold confirmed) writes nothing.
 */
const ACTIVE = `status in ('PENDING', 'CONFIRMED')`;

export class Migration20261126040000ActiveItemCount extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table event_projection add column active_items integer not null default 0`);
    this.addSql(`update event_projection e
      set active_items = (select count(*) from booking_item i where i.event_id = e.event_id and i.${ACTIVE})`);
    this.addSql(`create table active_item_change_pending (
      id bigserial primary key,
      event_id uuid not null,
      delta integer not null)`);
    this.addSql(`create function note_active_item_change() returns trigger language plpgsql as $$
      begin
        -- Each branch names only the transition tables its operation has.
        if tg_op = 'INSERT' then
          insert into active_item_change_pending (event_id, delta)
            select event_id, count(*) from new_items where ${ACTIVE} group by event_id order by event_id;
        elsif tg_op = 'DELETE' then
          insert into active_item_change_pending (event_id, delta)
            select event_id, -count(*) from old_items where ${ACTIVE} group by event_id order by event_id;
        else
          insert into active_item_change_pending (event_id, delta)
            select event_id, sum(delta) from (
              select event_id, 1 as delta from new_items where ${ACTIVE}
              union all
              select event_id, -1 from old_items where ${ACTIVE}) changes
            group by event_id having sum(delta) <> 0 order by event_id;
        end if;
        return null;
      end $$`);
    this.addSql(`create trigger booking_item_active_inserted after insert on booking_item
      referencing new table as new_items for each statement execute function note_active_item_change()`);
    this.addSql(`create trigger booking_item_active_updated after update on booking_item
      referencing old table as old_items new table as new_items for each statement execute function note_active_item_change()`);
    this.addSql(`create trigger booking_item_active_deleted after delete on booking_item
      referencing old table as old_items for each statement execute function note_active_item_change()`);
    this.addSql(`create function apply_active_item_change() returns trigger language plpgsql as $$
      begin
        update event_projection set active_items = active_items + new.delta where event_id = new.event_id;
        delete from active_item_change_pending where id = new.id;
        return null;
      end $$`);
    this.addSql(`create constraint trigger active_item_change_at_commit
      after insert on active_item_change_pending deferrable initially deferred
      for each row execute function apply_active_item_change()`);
  }
}
