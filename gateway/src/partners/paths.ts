import fs from 'node:fs';
import path from 'node:path';

/** A file of the repository (e.g. gateway/partners.json), found from sources and builds alike. */
export function repoFile(relative: string, from = __dirname): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(relative);
}
