import { Migration } from '@mikro-orm/migrations';

/**
 * Issue #16 (bookings per second). The seat map version of an event is assigned at commit, not
 * mid-transaction. Every seat change of an event queues on its event_projection row; taking that
 * row's lock in a statement of the transaction held it across the round trip back to the service
 * and the COMMIT statement, so one event sold at most one booking per (statement + event-loop
 * turn + commit). A deferred constraint trigger takes it while the commit runs instead: the lock
 * is held for the trigger and the commit's WAL flush only, and versions still follow commit
 * order (the lock is released by the commit itself), gap-free.
 *
 * A seat change writes a row to seat_change_pending with its outbox message already inserted
 * (seatMapVersion 0); at commit the trigger bumps the version, logs the change for live
 * subscribers, prunes the log now and then, writes the version into the message's payload and
 * deletes the pending row. docs/adr/0003-one-active-hold-per-seat.md.
 */
export class Migration20261126000000SeatMapVersionAtCommit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table seat_change_pending (
      id bigserial primary key,
      event_id uuid not null,
      outbox_id uuid not null,
      seats jsonb null,
      keep_versions integer not null check (keep_versions > 0),
      prune_every integer not null check (prune_every > 0))`);
    this.addSql(`create function assign_seat_map_version() returns trigger language plpgsql as $$
      declare
        assigned bigint;
      begin
        update event_projection set seat_map_version = seat_map_version + 1 where event_id = new.event_id
          returning seat_map_version into assigned;
        if assigned is not null then
          if new.seats is not null then
            insert into seat_change_log (event_id, version, seats) values (new.event_id, assigned, new.seats);
          end if;
          if assigned % new.prune_every = 0 then
            delete from seat_change_log where event_id = new.event_id and version <= assigned - new.keep_versions;
          end if;
          update outbox set payload = jsonb_set(payload, '{seatMapVersion}', to_jsonb(assigned)) where id = new.outbox_id;
        end if;
        delete from seat_change_pending where id = new.id;
        return null;
      end $$`);
    this.addSql(`create constraint trigger seat_change_pending_at_commit
      after insert on seat_change_pending deferrable initially deferred
      for each row execute function assign_seat_map_version()`);
  }
}
