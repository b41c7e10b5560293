import { ApolloError } from '@apollo/client';
import { GraphQLError } from 'graphql';
import { plainSentence } from '../src/errors';

/** What a fan reads when the API refuses: a plain sentence per error code. */
describe('plainSentence', () => {
  const refused = (code: string, message = 'x', extensions: Record<string, unknown> = {}) => new ApolloError({ graphQLErrors: [new GraphQLError(message, { extensions: { code, ...extensions } })] });

  it.each([
    ['SEAT_UNAVAILABLE', 'Sorry, one of those seats was just taken by someone else. Pick another seat.'],
    ['BOOKING_EXPIRED', 'Your hold on these seats has run out. Select the seats again to book them.'],
    ['PAYMENT_DECLINED', 'Your card was declined, so nothing was charged and the seats were released. Try again with another card.'],
    ['RATE_LIMITED', 'You are going a bit fast. Please wait a moment and try again.'],
    ['UNAUTHENTICATED', 'Please sign in first.'],
    ['SOMETHING_NEW', 'Something went wrong on our side. Please try again.'],
  ])('%s', (code, sentence) => {
    expect(plainSentence(refused(code))).toBe(sentence);
  });

  it('says how long to wait when the gateway says it, and passes input problems on', () => {
    expect(plainSentence(refused('RATE_LIMITED', 'Too many requests', { retryAfterSeconds: 12 }))).toBe('You are going a bit fast. Please wait 12 seconds and try again.');
    expect(plainSentence(refused('BAD_USER_INPUT', 'sections[0].rows must be between 1 and 200'))).toBe('Please check what you entered: sections[0].rows must be between 1 and 200.');
  });

  it('reads the refusal from the body of an HTTP error status (the gateway answers rate limits with 429)', () => {
    const serverError = Object.assign(new Error('Response not successful: Received status code 429'), {
      name: 'ServerError',
      statusCode: 429,
      result: { errors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3 } }] },
    });
    expect(plainSentence(new ApolloError({ networkError: serverError }))).toBe('You are going a bit fast. Please wait 3 seconds and try again.');
  });

  it('tells a network failure from a refusal', () => {
    expect(plainSentence(new ApolloError({ networkError: new TypeError('Failed to fetch') }))).toBe('We cannot reach Eventix right now. Check your connection and try again.');
  });
});
