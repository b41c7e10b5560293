import { ErrorCode } from '@eventix/errors';
import { errorCodes, type GraphQLResponse } from '@eventix/testing';

/** Every code a caller may see: the registry, minus the catch-all that means "we have a bug". */
export const CONTRACT_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR));

/** What must never reach a caller, whatever they sent (issue #10). */
const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a stack trace', /(^|\n)\s*at \S|\s{4}at /],
  ['SQL text', /\bselect\s/i],
  ['SQL text', /\binsert into\b/i],
  ['SQL text', /\bupdate \w+ set\b/i],
  ['SQL text', /\bviolates\b/i],
  ['SQL text', /\brelation "/i],
  ['SQL text', /syntax error/i],
  ['a driver error', /invalid input syntax|invalid byte sequence|DriverException|MikroORM|ECONNREFUSED/i],
  ['an internal host:port', /\b(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]):\d{2,5}\b/i],
];

/**
 * The strings a caller sent, longest first, raw and JSON-escaped: a message may quote the
 * caller's own input back ("Event x not found"), which is not a leak even when it reads like SQL.
 */
function echoesOf(variables: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 3) out.push(value, JSON.stringify(value).slice(1, -1));
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(walk);
    }
  };
  walk(variables);
  return out.sort((a, b) => b.length - a.length);
}

/** Why a response breaks the contract; empty when it keeps it. */
export function contractViolations(res: GraphQLResponse<unknown>, variables: unknown, field: string): string[] {
  const problems: string[] = [];
  const codes = errorCodes(res).map(String);
  if (res.status >= 500 && !(res.status === 503 && codes.length > 0 && codes.every((c) => c === ErrorCode.SERVICE_UNAVAILABLE))) {
    problems.push(`HTTP ${res.status}`);
  }
  const value = (res.data as Record<string, unknown> | null | undefined)?.[field];
  if (!res.errors?.length && (value === null || value === undefined)) problems.push('neither data nor errors');
  if (res.errors?.length && value !== null && value !== undefined) problems.push('data and errors at once');
  for (const code of codes) if (!CONTRACT_CODES.has(code)) problems.push(`code ${code} is not a contract code`);
  const echoes = echoesOf(variables);
  for (const error of res.errors ?? []) {
    let text = `${error.message}\n${JSON.stringify(error.extensions ?? {})}`;
    for (const echo of echoes) text = text.split(echo).join('');
    for (const [what, pattern] of LEAKS) if (pattern.test(text)) problems.push(`${what} in an error (${pattern})`);
  }
  return problems;
}

/** Throws (so fast-check shrinks and reports the input) unless the response keeps the contract. Returns its codes. */
export function assertContract(res: GraphQLResponse<unknown>, variables: unknown, field: string): string[] {
  const problems = contractViolations(res, variables, field);
  if (problems.length) {
    throw new Error(`contract broken (${[...new Set(problems)].join('; ')}): HTTP ${res.status} ${JSON.stringify({ data: res.data, errors: res.errors }).slice(0, 1500)}`);
  }
  return errorCodes(res).map(String);
}

/** Throws unless every code is one of `allowed` (and there is at least one error). */
export function assertCodesIn(codes: readonly string[], allowed: readonly string[], what: string): void {
  if (!codes.length || codes.some((c) => !allowed.includes(c))) throw new Error(`${what}: expected an error among ${allowed.join('|')}, got ${JSON.stringify(codes)}`);
}
