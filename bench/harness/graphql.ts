/** One GraphQL POST; throws with the errors when the answer has no data (seeding must not half-succeed quietly). */
export async function graphqlRequest<T>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  let body: { data?: T | null; errors?: unknown[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`${url} answered ${res.status} with no JSON: ${text.slice(0, 300)}`);
  }
  if (!body.data || body.errors?.length) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  return body.data;
}
