import { Counter, type Registry } from 'prom-client';
import { parsePartners, type PartnerConfig } from './config';
import { parseManifest, type Manifest } from './manifest';
import type { SafelistEnforce } from './safelist';
import { watchedFile } from './watched-file';

export { partnerIdOf } from './identity';
export { ManifestBackedCache } from './manifest-cache';
export { safelistDecision, type SafelistDecision, type SafelistEnforce } from './safelist';
export type { PartnerConfig } from './config';
export type { Manifest, ManifestOperation } from './manifest';

export interface PartnerOptions {
  /** gateway/partners.json unless PARTNERS_PATH says otherwise. */
  partnersPath: string;
  /** schema/persisted-queries.json unless PERSISTED_QUERIES_PATH says otherwise. */
  manifestPath: string;
  enforce: SafelistEnforce;
  registry: Registry;
  log: (message: string) => void;
}

/** The partners file and the manifest, as they are now (both follow their files' changes). */
export interface Partners {
  partner(id: string): PartnerConfig | undefined;
  manifest(): Manifest;
  readonly enforce: SafelistEnforce;
  /** Unlisted operations a `log` partner ran, by partner. */
  readonly unlisted: Counter<'partner'>;
  /** Budget refusals, by partner and budget (requests, cost). */
  readonly overBudget: Counter<'partner' | 'budget'>;
  /** Starts following both files' changes (the gateway's start()). */
  watch(): void;
  close(): void;
}

/** Loads both files (a bad one is a configuration error naming it); watch() follows their changes. */
export function loadPartners({ partnersPath, manifestPath, enforce, registry, log }: PartnerOptions): Partners {
  const partners = watchedFile(partnersPath, parsePartners, log);
  let manifest;
  try {
    manifest = watchedFile(manifestPath, parseManifest, log);
  } catch (error) {
    partners.close();
    throw error;
  }
  const unlisted = new Counter({
    name: 'eventix_gateway_partner_unlisted_operations_total',
    help: 'Operations outside the persisted query manifest run by partners in log mode, by partner',
    labelNames: ['partner'],
    registers: [registry],
  });
  const overBudget = new Counter({
    name: 'eventix_gateway_partner_budget_rejections_total',
    help: 'Partner operations refused over a per-minute budget, by partner and budget (requests, cost)',
    labelNames: ['partner', 'budget'],
    registers: [registry],
  });
  return {
    partner: (id) => partners.current().get(id),
    manifest: () => manifest.current(),
    enforce,
    unlisted,
    overBudget,
    watch() {
      partners.watch();
      manifest.watch();
    },
    close() {
      partners.close();
      manifest.close();
    },
  };
}
