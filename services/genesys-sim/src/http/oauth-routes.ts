import type { ApiContext } from './context.js';
import { grantOf } from './params.js';

function oauthError(error: string, description: string) {
  return { error, description, error_description: description };
}

/**
 * `POST /oauth/token` (client-credentials grant, reference §1.2) and `GET/HEAD/DELETE /api/v2/tokens/me`.
 * Credentials come from `Authorization: Basic` (as the SDK sends them) or from `client_id`/`client_secret` form fields.
 */
export function registerOAuthRoutes(ctx: ApiContext): void {
  const { routes, tokens, world } = ctx;

  routes.add('POST', '/oauth/token', (req, reply) => {
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    if (typeof req.body !== 'object' || req.body === null) {
      return reply.code(400).send(oauthError('invalid_request', 'Expected a form-encoded body.'));
    }
    let clientId = form.client_id;
    let clientSecret = form.client_secret;
    const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    const client =
      clientId !== undefined && clientSecret !== undefined
        ? tokens.authenticate(clientId, clientSecret)
        : undefined;
    if (!client) {
      return reply.code(401).send(oauthError('invalid_client', 'Client authentication failed.'));
    }
    if (form.grant_type !== 'client_credentials') {
      return reply
        .code(400)
        .send(oauthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported.'));
    }
    const grant = tokens.issue(client);
    return { access_token: grant.token, token_type: 'bearer', expires_in: client.tokenLifetimeSec };
  });

  routes.add('GET', '/api/v2/tokens/me', (req) => {
    const { client } = grantOf(req);
    const org = { id: world.orgId };
    return {
      organization: org,
      homeOrganization: org,
      authorizedScope: [],
      OAuthClient: { id: client.clientId, name: client.clientId, organization: org },
    };
  });
  routes.add('HEAD', '/api/v2/tokens/me', (_req, reply) => reply.code(200).send());
  routes.add('DELETE', '/api/v2/tokens/me', (req) => {
    tokens.revoke(grantOf(req).token);
    return undefined;
  });
}
