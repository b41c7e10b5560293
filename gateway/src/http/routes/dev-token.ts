import { sendJson, type Route } from '@eventix/subgraph-kit';
import { parseTokenRequest, type DevIssuer } from '../../auth/dev-issuer';

/** POST /dev/token `{"sub": "...", "permissions": [...]}` → `{"token": "..."}` (development only). */
export function devTokenRoute(issuer: DevIssuer): Record<string, Route> {
  return {
    'POST /dev/token': async (_req, body, res) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        sendJson(res, 400, { error: 'body must be JSON' });
        return;
      }
      const request = parseTokenRequest(parsed);
      if ('error' in request) {
        sendJson(res, 400, { error: request.error });
        return;
      }
      sendJson(res, 200, { token: await issuer.issue(request.sub, request.permissions) });
    },
  };
}
