/**
 * A real OpenID Connect provider on loopback (the `oidc-provider` package) standing in for Google, with test
 * users. There is no login screen: the interaction signs in whoever `currentUser()` names and consents.
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const TEST_USERS = {
  alice: { sub: 'alice-sub', email: 'alice@example.com', email_verified: true, name: 'Alice' },
  bob: { sub: 'bob-sub', email: 'bob@example.com', email_verified: true, name: 'Bob' },
  carol: { sub: 'carol-sub', email: 'carol@example.com', email_verified: true, name: 'Carol' },
  dave: { sub: 'dave-sub', email: 'dave@example.com', email_verified: true, name: 'Dave' },
  erin: { sub: 'erin-sub', email: 'erin@example.com', email_verified: true, name: 'Erin' },
  mallory: { sub: 'mallory-sub', email: 'mallory@example.com', email_verified: true, name: 'Mallory' },
  unverified: { sub: 'eve-sub', email: 'eve@example.com', email_verified: false, name: 'Eve' },
} as const;
export type TestUser = keyof typeof TEST_USERS;

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export async function startTestIdp(options: { redirectUris: string[]; currentUser: () => TestUser }): Promise<TestIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'studio-under-test';
  const clientSecret = 'studio-under-test-secret';
  const bySub = new Map<string, (typeof TEST_USERS)[TestUser]>(Object.values(TEST_USERS).map((u) => [u.sub, u]));
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx, sub) => {
      const user = bySub.get(sub);
      return user ? { accountId: sub, claims: async () => ({ ...user }) } : undefined;
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    pkce: { required: () => false },
    conformIdTokenClaims: false,
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        const who = TEST_USERS[options.currentUser()];
        return void (await provider.interactionFinished(req, res, { login: { accountId: who.sub } }));
      }
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({
            accountId: details.session?.accountId as string,
            clientId: details.params.client_id as string,
          });
      if (!grant) throw new Error('no grant');
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
