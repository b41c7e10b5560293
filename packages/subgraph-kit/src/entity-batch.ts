import { DEFAULT_MAX_BODY_BYTES } from './graphql-http';

/**
 * The largest venue the catalog accepts (its layout limit is this constant). It also bounds the
 * largest `_entities` batch the gateway sends a subgraph: a whole seat map is one representation
 * per seat (`{"__typename":"Seat","id":"<uuid>"}`, booking's availability of every seat).
 */
export const MAX_SEATS_PER_VENUE = 100_000;

/**
 * Room for one representation in the gateway's JSON: a Seat's is 53 bytes plus a comma; the
 * margin covers a longer type name or another key field.
 */
const REPRESENTATION_BYTES = 96;

/**
 * Body limit of a request that carries the gateway's internal credential: the ordinary 1 MB
 * (query text, variables) plus the largest entity batch, ~10.6 MB. Sized, not unlimited: a body
 * past it is still refused with 413 before it is parsed. Requests without the credential keep
 * the ordinary limit, so nobody outside the gateway can make a subgraph buffer 10 MB.
 */
export const INTERNAL_MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES + MAX_SEATS_PER_VENUE * REPRESENTATION_BYTES;
