import { ApolloError } from '@apollo/client';
import type { GraphQLFormattedError } from 'graphql';

/** API error codes as plain sentences a fan understands. */
const SENTENCES: Record<string, string> = {
  SEAT_UNAVAILABLE: 'Sorry, one of those seats was just taken by someone else. Pick another seat.',
  LONE_SEAT: 'That choice would leave a single empty seat on its own in the row. Add the seat next to it or pick seats further along.',
  BOOKING_EXPIRED: 'Your hold on these seats has run out. Select the seats again to book them.',
  PAYMENT_DECLINED: 'Your card was declined, so nothing was charged and the seats were released. Try again with another card.',
  RATE_LIMITED: 'You are going a bit fast. Please wait a moment and try again.',
  UNAUTHENTICATED: 'Please sign in first.',
  FORBIDDEN: 'Your account is not allowed to do that.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  INVALID_BOOKING_STATE: 'This booking cannot do that any more.',
  SERVICE_UNAVAILABLE: 'Part of Eventix is busy right now. Please try again in a few seconds.',
  OPERATION_TOO_COMPLEX: 'That request was too large. Please try a smaller one.',
};

function firstGraphQLError(error: unknown): GraphQLFormattedError | undefined {
  if (error instanceof ApolloError) {
    if (error.graphQLErrors[0]) return error.graphQLErrors[0];
    // A refusal with an HTTP error status (429 for rate limits, 400 for bad input) arrives as a
    // network error whose body still carries the GraphQL errors.
    const body = (error.networkError as { result?: { errors?: GraphQLFormattedError[] } } | null)?.result;
    if (body && typeof body === 'object' && Array.isArray(body.errors)) return body.errors[0];
    return undefined;
  }
  if (error && typeof error === 'object' && 'graphQLErrors' in error) return (error as { graphQLErrors: GraphQLFormattedError[] }).graphQLErrors[0];
  return undefined;
}

export function errorCode(error: unknown): string | undefined {
  const code = firstGraphQLError(error)?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One sentence for whatever went wrong; the server's own message when it is a known input problem. */
export function plainSentence(error: unknown): string {
  const first = firstGraphQLError(error);
  const code = errorCode(error);
  if (code === 'RATE_LIMITED') {
    const wait = first?.extensions?.retryAfterSeconds;
    return typeof wait === 'number' ? `You are going a bit fast. Please wait ${wait} seconds and try again.` : SENTENCES.RATE_LIMITED;
  }
  if (code === 'INVALID_BOOKING_STATE' && first?.message) return `${first.message.replace(/\.?$/, '.')}`;
  if (code === 'BAD_USER_INPUT' && first?.message) return `Please check what you entered: ${first.message.replace(/\.?$/, '.')}`;
  if (code && SENTENCES[code]) return SENTENCES[code];
  if (error instanceof ApolloError && error.networkError) return 'We cannot reach Eventix right now. Check your connection and try again.';
  if (error instanceof Error && /fetch|network/i.test(error.message)) return 'We cannot reach Eventix right now. Check your connection and try again.';
  return 'Something went wrong on our side. Please try again.';
}
