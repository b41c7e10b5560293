import { parseManifest, type ManifestOperation } from './manifest';
import { safelistDecision, type SafelistCaller } from './safelist';

const op: ManifestOperation = { id: 'a'.repeat(64), name: 'PartnerOnSaleEvents', type: 'query', body: 'query PartnerOnSaleEvents { events { edges { node { id } } } }' };
const manifest = new Map([[op.id, op]]);
const budgets = { requestsPerMinute: 1, costPerMinute: 1 };
const enforced: SafelistCaller = { partnerId: 'acme', partner: { id: 'acme', mode: 'enforce', budgets } };
const logged: SafelistCaller = { partnerId: 'kiosk', partner: { id: 'kiosk', mode: 'log', budgets } };
const firstParty: SafelistCaller = {};
const codeOf = (d: ReturnType<typeof safelistDecision>) => (d.action === 'refuse' ? d.error.extensions.code : d.action);

describe('safelist decision', () => {
  it('runs a manifest id without text for everyone', () => {
    for (const caller of [enforced, logged, firstParty]) {
      expect(safelistDecision({ hash: op.id }, caller, manifest, 'all')).toEqual({ action: 'listed', operation: op });
    }
  });

  it('refuses an enforced partner free text (even with a listed hash) and unknown ids', () => {
    expect(codeOf(safelistDecision({ query: '{ events { edges { cursor } } }' }, enforced, manifest, 'partners'))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(codeOf(safelistDecision({ query: op.body, hash: op.id }, enforced, manifest, 'partners'))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(codeOf(safelistDecision({ hash: 'b'.repeat(64) }, enforced, manifest, 'partners'))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('runs a log-mode partner free text, reported as unlisted', () => {
    expect(safelistDecision({ query: '{ __typename }' }, logged, manifest, 'all')).toEqual({ action: 'run', unlisted: true });
    expect(safelistDecision({ hash: 'b'.repeat(64) }, logged, manifest, 'partners')).toEqual({ action: 'run', unlisted: true });
  });

  it('lets first-party callers send free text and APQ hashes unless SAFELIST_ENFORCE=all', () => {
    expect(safelistDecision({ query: '{ __typename }' }, firstParty, manifest, 'partners')).toEqual({ action: 'run', unlisted: false });
    expect(safelistDecision({ hash: 'b'.repeat(64) }, firstParty, manifest, 'partners')).toEqual({ action: 'run', unlisted: false });
    expect(codeOf(safelistDecision({ query: '{ __typename }' }, firstParty, manifest, 'all'))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(codeOf(safelistDecision({ hash: 'b'.repeat(64) }, firstParty, manifest, 'all'))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a partner token whose partner is not configured', () => {
    expect(codeOf(safelistDecision({ hash: op.id }, { partnerId: 'ghost' }, manifest, 'partners'))).toBe('FORBIDDEN');
  });

  it('the refusals carry a 400 status, never a 500', () => {
    const refused = safelistDecision({ query: '{ __typename }' }, enforced, manifest, 'partners');
    expect(refused.action === 'refuse' && refused.error.extensions.http).toEqual({ status: 400 });
  });
});

describe('manifest', () => {
  it('reads Apollo\'s format by id and names what is wrong with a bad file', () => {
    const text = JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [op] });
    expect(parseManifest(text, 'm.json').get(op.id)).toEqual(op);
    expect(() => parseManifest(JSON.stringify({ format: 'x', version: 1, operations: [] }), 'm.json')).toThrow(/^m\.json: not a persisted query manifest: format/);
    expect(() => parseManifest(JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ ...op, id: 'nope' }] }), 'm.json')).toThrow(/operations\.0\.id: must be a sha256/);
  });
});
