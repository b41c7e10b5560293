import fs from 'node:fs';
import type { SupergraphManager } from '@apollo/gateway';

/** `{ update, healthCheck, getDataSource }` (@apollo/gateway does not export the type by name). */
type SupergraphSdlHookOptions = Parameters<SupergraphManager['initialize']>[0];

export interface SupergraphFileOptions {
  /** The committed supergraph (`npm run compose` writes it). */
  path: string;
  /** Follow changes to the file (development); production serves the file it started with. */
  watch: boolean;
  log: (message: string) => void;
}

/**
 * The supergraph source of the gateway, shaped as @apollo/gateway's SupergraphManager (like its
 * LocalCompose and UplinkSupergraphManager): `initialize` hands the gateway the SDL and, when
 * watching, an `update` to call when the file changes, so a re-composed supergraph is served
 * without a restart. The file is read once on construction: the subscriptions and the first
 * cost model start from the same SDL the gateway does.
 */
export class SupergraphFile implements SupergraphManager {
  readonly initialSdl: string;

  constructor(private readonly options: SupergraphFileOptions) {
    this.initialSdl = fs.readFileSync(options.path, 'utf8');
  }

  async initialize({ update }: SupergraphSdlHookOptions): Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }> {
    const watcher = this.options.watch ? fs.watch(this.options.path, () => this.reload(update)) : undefined;
    return { supergraphSdl: this.initialSdl, cleanup: async () => watcher?.close() };
  }

  /** A half-written or unreadable file keeps the supergraph being served. */
  private reload(update: SupergraphSdlHookOptions['update']): void {
    const { path, log } = this.options;
    try {
      const next = fs.readFileSync(path, 'utf8');
      if (next.trim()) update(next);
      log('supergraph reloaded');
    } catch (error) {
      log(`supergraph reload failed, keeping the previous one: ${(error as Error).message}`);
    }
  }
}
