import { Migration } from '@mikro-orm/migrations';

/**
 * The seats of a row, found by (event, section, row label): the lone-seat rule locks every seat
 * of the rows a booking touches (seat-lock.ts), and best available locks whole rows. The
 * position index (event, section, y, row label, x) could only narrow those reads to the section.
 */
export class Migration20261126020000SeatRowMates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index seat_projection_mates_idx on seat_projection (event_id, section_id, row_label)`);
  }
}
