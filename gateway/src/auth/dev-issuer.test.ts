import { parseTokenRequest } from './dev-issuer';

describe('parseTokenRequest (POST /dev/token)', () => {
  it('takes a subject and permissions', () => {
    expect(parseTokenRequest({ sub: ' alice ', permissions: ['catalog:write'] })).toEqual({ sub: 'alice', permissions: ['catalog:write'] });
  });

  it.each([
    [{}, 'sub must be a non-empty string'],
    [{ sub: 'x'.repeat(201) }, 'sub must be a non-empty string'],
    [{ sub: 'a\u0000b' }, 'sub must not contain NUL characters'],
    [{ sub: 'a', permissions: 'all' }, 'permissions must be an array of strings'],
  ])('refuses %j', (body, error) => {
    expect(parseTokenRequest(body)).toEqual({ error });
  });
});
