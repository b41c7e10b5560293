import fs from 'node:fs';
import { parsePartners, PartnerConfigError } from './config';
import { repoFile } from './paths';

const budgets = { requestsPerMinute: 60, costPerMinute: 10_000 };
const file = (partners: unknown[]) => JSON.stringify({ partners });

describe('partners file', () => {
  it('reads partners by id', () => {
    const partners = parsePartners(file([{ id: 'acme', mode: 'enforce', budgets }, { id: 'kiosk', mode: 'log', budgets }]), 'partners.json');
    expect([...partners.keys()]).toEqual(['acme', 'kiosk']);
    expect(partners.get('kiosk')).toEqual({ id: 'kiosk', mode: 'log', budgets });
  });

  it('names the file and the entry of a bad one', () => {
    expect(() => parsePartners(file([{ id: 'acme', mode: 'enforce', budgets }, { id: 'kiosk', mode: 'strict', budgets }]), 'p.json')).toThrow(/^p\.json: partners\[1\] "kiosk": mode: /);
    expect(() => parsePartners(file([{ id: 'acme', mode: 'log', budgets: { requestsPerMinute: 0, costPerMinute: 1 } }]), 'p.json')).toThrow(/partners\[0\] "acme": budgets\.requestsPerMinute/);
    expect(() => parsePartners(file([{ mode: 'log', budgets }]), 'p.json')).toThrow(/partners\[0\]: id: Required/);
    expect(() => parsePartners(file([{ id: 'a', mode: 'log', budgets, extra: 1 }]), 'p.json')).toThrow(/Unrecognized key/);
  });

  it('refuses a repeated id, a file that is not JSON and one without a partners list', () => {
    expect(() => parsePartners(file([{ id: 'a', mode: 'log', budgets }, { id: 'a', mode: 'enforce', budgets }]), 'p.json')).toThrow('p.json: partners[1] "a": id is listed twice');
    expect(() => parsePartners('{', 'p.json')).toThrow(PartnerConfigError);
    expect(() => parsePartners('{"partner": []}', 'p.json')).toThrow(/^p\.json: /);
  });

  it('the committed gateway/partners.json is valid', () => {
    const partners = parsePartners(fs.readFileSync(repoFile('gateway/partners.json'), 'utf8'), 'gateway/partners.json');
    expect(partners.size).toBeGreaterThan(0);
  });
});
