import { Migration } from '@mikro-orm/migrations';
import { outboxTraceparentSql } from '@eventix/events';

/** The outbox keeps the writer's trace context (W3C traceparent) so consumers continue its trace. */
export class Migration20261125210000OutboxTraceparent extends Migration {
  override async up(): Promise<void> {
    this.addSql(outboxTraceparentSql);
  }
}
