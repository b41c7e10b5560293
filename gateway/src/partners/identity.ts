import { Permission } from '@eventix/subgraph-kit';
import type { VerifiedCaller } from '../auth/token-verifier';

/**
 * The partner a caller acts for: tokens with the `partner` permission name their partner by
 * `azp` (the Auth0 machine-to-machine client id) or else `sub`. Undefined for first-party callers.
 */
export function partnerIdOf(caller: VerifiedCaller): string | undefined {
  if (!caller.permissions.includes(Permission.PARTNER)) return undefined;
  return caller.clientId ?? caller.userId;
}
