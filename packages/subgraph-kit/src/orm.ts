import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { EntityClass, MigrationObject } from '@mikro-orm/core';
import { OutboxMessage } from '@eventix/events';

export interface OrmOptions {
  /**
   * The service name. MikroORM keys its async-local transaction context by this name; with a
   * shared default, a consumer running inside another service's transaction (the in-process
   * bus) would silently join that transaction on the wrong database.
   */
  name: string;
  clientUrl: string;
  entities: EntityClass<unknown>[];
  /** Versioned migrations in order; listed explicitly so no folder is scanned at run time. */
  migrations: MigrationObject[];
  poolMax?: number;
  debug?: boolean;
  /** Called with every SQL statement; tests count queries with it. */
  onQuery?: (sql: string) => void;
}

/** MikroORM options shared by every subgraph (the outbox entity is always registered). */
export function ormOptions(options: OrmOptions): Options {
  return {
    driver: PostgreSqlDriver,
    contextName: options.name,
    clientUrl: options.clientUrl,
    entities: [OutboxMessage, ...options.entities],
    extensions: [Migrator],
    migrations: { migrationsList: options.migrations, transactional: true, allOrNothing: true, disableForeignKeys: false, silent: true },
    pool: { min: 0, max: options.poolMax ?? 20 },
    // Entities are explicit classes; discovery must not depend on source files at run time.
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    allowGlobalContext: false,
    debug: options.onQuery ? ['query'] : (options.debug ?? false),
    ...(options.onQuery ? { logger: options.onQuery, colors: false } : {}),
    forceUtcTimezone: true,
  };
}

/** Connects and brings the schema up to date by running pending migrations. */
export async function initOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(options));
  await orm.getMigrator().up();
  return orm;
}
