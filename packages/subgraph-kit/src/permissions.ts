import type { Caller } from './internal-credential';

/**
 * The permissions Eventix checks, as the identity provider grants them (Auth0 RBAC's
 * `permissions` claim). One spelling here, so a subgraph cannot check a name nobody grants.
 */
export const Permission = {
  /** Organizers: create venues and events, publish and cancel them, see drafts. */
  CATALOG_WRITE: 'catalog:write',
  /** Support staff: read and cancel any fan's bookings and payments. */
  BOOKINGS_ADMIN: 'bookings:admin',
  /** Door scanners: verify and admit tickets. */
  TICKETS_VERIFY: 'tickets:verify',
  /** Partners (resellers, venue apps, kiosks): run the persisted query manifest's operations by id. */
  PARTNER: 'partner',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** True when the caller holds `permission` (no sign-in check: see requirePermission for that). */
export const hasPermission = (caller: Caller, permission: Permission): boolean => caller.permissions.includes(permission);
