import { Migration } from '@mikro-orm/migrations';

/**
 * How many of an event's seats the projection holds. Catalog announces a published event in
 * parts; until every part has arrived the event is not bookable here, and availability must
 * not claim otherwise (seats answer NOT_ON_SALE, createBooking answers "try again").
 */
export class Migration20261125020000ProjectionProgress extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table event_projection add column projected_seats integer not null default 0`);
    this.addSql(`update event_projection e set projected_seats = (select count(*) from seat_projection s where s.event_id = e.event_id)`);
  }
}
