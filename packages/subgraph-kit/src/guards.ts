import { forbidden, unauthenticated } from '@eventix/errors';
import type { Caller } from './internal-credential';
import { hasPermission, type Permission } from './permissions';

/** The signed-in user's id; anonymous callers get UNAUTHENTICATED. */
export function requireUser(caller: Caller): string {
  if (!caller.userId) throw unauthenticated();
  return caller.userId;
}

/** A signed-in user holding `permission`; otherwise UNAUTHENTICATED or FORBIDDEN. */
export function requirePermission(caller: Caller, permission: Permission): string {
  const userId = requireUser(caller);
  if (!hasPermission(caller, permission)) throw forbidden(`This needs the ${permission} permission`);
  return userId;
}
