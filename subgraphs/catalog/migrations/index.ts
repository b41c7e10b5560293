import { Migration20261125000000CatalogInitial } from './Migration20261125000000_catalog_initial';

/** Every migration of the catalog database, in order. */
export const catalogMigrations = [{ name: 'Migration20261125000000_catalog_initial', class: Migration20261125000000CatalogInitial }];
