import { appError, ErrorCode, forbidden } from '@eventix/errors';
import type { GraphQLError } from 'graphql';
import type { PartnerConfig } from './config';
import type { Manifest, ManifestOperation } from './manifest';

/** Who may send free text: partners in `log` mode and first-party callers (`partners`), or no one but `log` partners (`all`). */
export type SafelistEnforce = 'partners' | 'all';

export interface SafelistRequest {
  /** The query text, when the request carries one. */
  query?: string;
  /** extensions.persistedQuery.sha256Hash, when given. */
  hash?: string;
}

export interface SafelistCaller {
  /** The caller's partner id (undefined: a first-party caller). */
  partnerId?: string;
  /** Its configuration; undefined for a partner id the partners file does not list. */
  partner?: PartnerConfig;
}

export type SafelistDecision =
  /** A manifest operation by id: run its body. */
  | { action: 'listed'; operation: ManifestOperation }
  /** Not in the manifest but allowed: run as sent (for a `log` partner, log and count it). */
  | { action: 'run'; unlisted: boolean }
  | { action: 'refuse'; error: GraphQLError };

export const notInList = () =>
  appError(ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, 'Only operations of the persisted query manifest may run here: send extensions.persistedQuery.sha256Hash without a query', {}, { status: 400 });
export const unknownId = () => appError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, 'No operation with this id in the persisted query manifest', {}, { status: 400 });

/**
 * The safelist's decision for one request. A manifest id without text always runs. Otherwise an
 * enforcing caller (a partner in `enforce` mode, or anyone under SAFELIST_ENFORCE=all) is
 * refused — free text as PERSISTED_QUERY_NOT_IN_LIST, an unknown id as PERSISTED_QUERY_NOT_FOUND —
 * while a `log` partner's request runs and is reported unlisted. A partner id missing from the
 * partners file is refused outright.
 */
export function safelistDecision(request: SafelistRequest, caller: SafelistCaller, manifest: Manifest, enforce: SafelistEnforce): SafelistDecision {
  if (caller.partnerId !== undefined && !caller.partner) return { action: 'refuse', error: forbidden(`Partner ${caller.partnerId} is not configured on this gateway`) };
  const listed = request.query === undefined && request.hash !== undefined ? manifest.get(request.hash) : undefined;
  if (listed) return { action: 'listed', operation: listed };
  if (request.query === undefined && request.hash === undefined) return { action: 'run', unlisted: false }; // Apollo refuses it
  const enforcing = caller.partner ? caller.partner.mode === 'enforce' : enforce === 'all';
  if (enforcing) return { action: 'refuse', error: request.query === undefined ? unknownId() : notInList() };
  return { action: 'run', unlisted: caller.partner !== undefined };
}
