/** What a GraphQL HTTP response held, with the status kept for 401/403 assertions. */
export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/**
 * A minimal black-box client: POSTs operations as a browser or partner would. Takes a query
 * string, or a codegen-typed document (schema/operations) whose result and variables are typed.
 */
export function graphqlClient(url: string, defaultHeaders: Record<string, string> = {}) {
  function request<Data, Variables extends Record<string, unknown>>(document: TypedDocumentNode<Data, Variables>, variables: Variables, headers?: Record<string, string>): Promise<GraphQLResponse<Data>>;
  function request<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<Data>>;
  async function request<Data>(
    query: string | TypedDocumentNode<Data, Record<string, unknown>>,
    variables?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<Data>> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...defaultHeaders, ...headers },
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
    });
    const text = await response.text();
    try {
      return { status: response.status, ...(JSON.parse(text) as object) };
    } catch {
      throw new Error(`non-JSON response ${response.status}: ${text.slice(0, 200)}`);
    }
  }
  return request;
}

export type GraphQLRequest = ReturnType<typeof graphqlClient>;

/** A client that takes query strings only (handy for wrappers that add headers). */
export type QueryFn = <Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse<Data>>;

/** The contract error codes of a response, in order. */
export const errorCodes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);
