import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reachableByUser } from './postgres-access';

/**
 * As root the embedded cluster runs as the `postgres` user, and lives in the checkout's data
 * folder whenever that user can reach it. PostgreSQL makes its cluster's folder 0700: judged by
 * the mode alone, every start after the first moved the cluster elsewhere (a fresh, empty one).
 */
describe('reachableByUser', () => {
  const me = process.getuid?.() ?? 0;
  const someoneElse = me + 4242;
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-reach-'));
    fs.chmodSync(base, 0o755);
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('counts a folder not made yet under folders others can pass through', () => {
    expect(reachableByUser(path.join(base, 'data', 'postgres'), someoneElse)).toBe(true);
  });

  it("counts a 0700 folder as reachable for its owner only (a cluster's folder after its first start)", () => {
    const cluster = path.join(base, 'postgres');
    fs.mkdirSync(cluster, { mode: 0o700 });
    fs.chmodSync(cluster, 0o700);
    expect(reachableByUser(cluster, me)).toBe(true);
    expect(reachableByUser(cluster, someoneElse)).toBe(false);
    expect(reachableByUser(cluster, undefined)).toBe(false);
  });

  it('counts a folder others can pass through as reachable for anyone', () => {
    const open = path.join(base, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o755);
    expect(reachableByUser(open, someoneElse)).toBe(true);
  });

  it('refuses a folder under one only its owner can enter, whoever owns the folder itself', () => {
    const closed = path.join(base, 'closed');
    fs.mkdirSync(closed, { mode: 0o700 });
    fs.chmodSync(closed, 0o700);
    expect(reachableByUser(path.join(closed, 'postgres'), me)).toBe(false);
  });
});
