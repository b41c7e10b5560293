import fs from 'node:fs';
import path from 'node:path';

const DEBOUNCE_MS = 100;

/** A parsed file; once `watch()` is called it follows the file's changes until `close()`. */
export interface WatchedFile<T> {
  current(): T;
  watch(): void;
  close(): void;
}

/**
 * Reads and parses `file` now (throwing when it is bad: a start-up configuration error); once
 * watched, re-reads it on change (fs.watch on its folder, so editors that replace the file are
 * seen, debounced). A bad new version is logged and the last good one stays in use.
 */
export function watchedFile<T>(file: string, parse: (text: string, source: string) => T, log: (message: string) => void): WatchedFile<T> {
  let value = parse(fs.readFileSync(file, 'utf8'), file);
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    try {
      value = parse(fs.readFileSync(file, 'utf8'), file);
      log(`reloaded ${file}`);
    } catch (error) {
      log(`kept the last good ${path.basename(file)}: ${(error as Error).message}`);
    }
  };
  let watcher: fs.FSWatcher | undefined;
  return {
    current: () => value,
    watch() {
      watcher ??= fs.watch(path.dirname(file), (_event, name) => {
        if (name && name.toString() !== path.basename(file)) return;
        clearTimeout(timer);
        timer = setTimeout(reload, DEBOUNCE_MS);
      });
      watcher.unref();
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
