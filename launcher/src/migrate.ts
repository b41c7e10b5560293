import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError } from '@eventix/config';
import { ormOptions } from '@eventix/subgraph-kit';
import { bookingEntities, bookingMigrations } from '@eventix/booking';
import { catalogEntities, catalogMigrations } from '@eventix/catalog';
import { paymentEntities, paymentMigrations } from '@eventix/payment';
import { loadLauncherConfig } from './env';
import { prepareInfrastructure } from './infrastructure';

/** `npm run migrate`: brings every service database up to date, then exits. */
async function main(): Promise<void> {
  const config = loadLauncherConfig();
  const infra = await prepareInfrastructure(config, (m) => console.error(`[migrate] ${m}`));
  try {
    const services = [
      { name: 'catalog', url: infra.databaseUrls.catalog, entities: catalogEntities, migrations: catalogMigrations },
      { name: 'booking', url: infra.databaseUrls.booking, entities: bookingEntities, migrations: bookingMigrations },
      { name: 'payment', url: infra.databaseUrls.payment, entities: paymentEntities, migrations: paymentMigrations },
    ];
    for (const service of services) {
      const orm = await MikroORM.init(ormOptions({ name: service.name, clientUrl: service.url, entities: service.entities, migrations: service.migrations }));
      const applied = await orm.getMigrator().up();
      console.log(`${service.name}: ${applied.length ? applied.map((m) => m.name).join(', ') : 'up to date'}`);
      await orm.close();
    }
  } finally {
    await infra.postgres.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `[migrate] failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
