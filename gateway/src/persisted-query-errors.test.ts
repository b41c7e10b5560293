import { GraphQLError } from 'graphql';
import { persistedQueryError } from './persisted-query-errors';

// As Apollo Server hands them to formatError: thrown without a code, formatted with its default one.
const refusal = (message: string) => [{ message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new GraphQLError(message, { extensions: { http: { status: 400 } } })] as const;

describe('persistedQueryError', () => {
  it("words Apollo Server's uncoded APQ refusals as BAD_REQUEST", () => {
    expect(persistedQueryError(...refusal('provided sha does not match query'))).toEqual({
      message: 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query text sent with it',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(persistedQueryError(...refusal('Unsupported persisted query version'))?.extensions).toEqual({ code: 'BAD_REQUEST' });
  });

  it('leaves every other error alone, and one with the same words that carries a code of its own', () => {
    expect(persistedQueryError(...refusal('Something else'))).toBeUndefined();
    const coded = new GraphQLError('provided sha does not match query', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(persistedQueryError({ message: coded.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, coded)).toBeUndefined();
    expect(persistedQueryError({ message: 'provided sha does not match query' }, new Error('provided sha does not match query'))).toBeUndefined();
  });
});
