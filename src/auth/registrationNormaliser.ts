/**
 * Dynamic client registration as real MCP clients send it, in front of better-auth's OAuth provider (not a
 * fork of it). The provider treats a registration without `application_type` as a web client and refuses
 * its loopback redirects, and refuses private-use schemes that are not authority-free reverse-domain names
 * (`cursor://anysphere.cursor-mcp/oauth/callback`). Clients built on the v1 TypeScript SDK send no
 * `application_type` (mcp-remote before its v2 move, OpenCode, the Inspector, VS Code), and Cursor registers
 * its `cursor://` callback. So, before the provider sees the request:
 * - a registration with a loopback (`http://127.0.0.1|localhost|[::1]`, any port, RFC 8252 §7.3) or a
 *   private-use redirect is native, whatever `application_type` says (it is only used to check redirects);
 * - a private-use redirect the provider would refuse is registered under a loopback placeholder, then the
 *   stored client gets the real URI back, so authorization matches it exactly, as any other;
 * - grant types this server does not offer (VS Code's device_code) are left out, as RFC 7591 §3.2.1 lets a
 *   server do, when the authorization-code grant remains.
 * Everything else (grant and response types, auth methods, https rules, dangerous schemes) is the provider's.
 * @module
 */

/** Schemes never accepted as a redirect (they run code or reach files). */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'ftp:', 'mailto:', 'blob:', 'about:']);
/** Authority-free reverse-domain private-use schemes, which the provider accepts itself (RFC 8252 §7.1). */
const REVERSE_DOMAIN_SCHEME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
const SUPPORTED_GRANTS = new Set(['authorization_code', 'refresh_token']);
const PLACEHOLDER_PATH = '/nbs-private-use-redirect/';

export type RedirectKind = 'loopback' | 'https' | 'private-use' | 'refused';

/** What kind of redirect URI this is, by RFC 8252: loopback, claimed https, private-use scheme, or none of them. */
export function redirectKind(uri: string): RedirectKind {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'refused';
  }
  if (uri.includes('#') || url.username || url.password) return 'refused';
  if (url.protocol === 'http:')
    return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ? 'loopback' : 'refused';
  if (url.protocol === 'https:') return 'https';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return 'refused';
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? 'private-use' : 'refused';
}

function providerAcceptsPrivateUse(uri: string): boolean {
  const url = new URL(uri);
  const rest = url.href.slice(url.protocol.length);
  return (
    url.host === '' &&
    rest.startsWith('/') &&
    !rest.startsWith('//') &&
    REVERSE_DOMAIN_SCHEME.test(url.protocol.slice(0, -1))
  );
}

/**
 * Whether `requested` is one of the client's `registered` redirect URIs, by the rules authorization applies:
 * byte for byte, except that a loopback http redirect may name any port (RFC 8252 §7.3).
 */
export function matchesRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  if (redirectKind(requested) !== 'loopback') return false;
  const withoutPort = (uri: string) => {
    const url = new URL(uri);
    url.port = '';
    return url.href;
  };
  const wanted = withoutPort(requested);
  return registered.some((uri) => redirectKind(uri) === 'loopback' && withoutPort(uri) === wanted);
}

export interface NormalisedRegistration {
  /** The registration as the provider gets it. */
  body: Record<string, unknown>;
  /** Placeholder → the client's own private-use URI, to put back once registered. */
  placeholders: Map<string, string>;
  /** The client's redirect URIs, in its order. */
  redirectUris: string[];
  /** What was changed, for the log. */
  changes: string[];
}

/** Rewrites a registration request so the provider accepts what real native clients send; undefined when nothing needs changing. */
export function normaliseRegistration(input: unknown): NormalisedRegistration | undefined {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const body = { ...(input as Record<string, unknown>) };
  const uris = body.redirect_uris;
  if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) return undefined;
  const redirectUris = uris as string[];
  const kinds = redirectUris.map(redirectKind);
  const changes: string[] = [];
  const placeholders = new Map<string, string>();

  if (kinds.includes('loopback') || kinds.includes('private-use')) {
    if (body.application_type !== 'native') {
      changes.push(`application_type ${JSON.stringify(body.application_type ?? null)} → "native"`);
      body.application_type = 'native';
    }
  }
  if (kinds.includes('private-use')) {
    body.redirect_uris = redirectUris.map((uri, i) => {
      if (kinds[i] !== 'private-use' || providerAcceptsPrivateUse(uri)) return uri;
      const placeholder = `http://127.0.0.1${PLACEHOLDER_PATH}${i}`;
      placeholders.set(placeholder, uri);
      changes.push(`private-use redirect ${uri} registered through a placeholder`);
      return placeholder;
    });
  }
  const grants = body.grant_types;
  if (Array.isArray(grants) && grants.includes('authorization_code')) {
    const kept = grants.filter((g) => typeof g === 'string' && SUPPORTED_GRANTS.has(g));
    if (kept.length !== grants.length) {
      changes.push(`grant_types ${grants.filter((g) => !kept.includes(g)).join(', ')} left out (not offered here)`);
      body.grant_types = kept;
    }
  }
  return changes.length ? { body, placeholders, redirectUris, changes } : undefined;
}

export interface RegistrationNormaliserOptions {
  /** better-auth's handler (the provider's /oauth2/register behind it). */
  handler: (request: Request) => Promise<Response>;
  /** Writes the client's real redirect URIs over the placeholders it was registered with. */
  restoreRedirectUris: (clientId: string, redirectUris: string[]) => Promise<void>;
  log: { info(obj: object, msg: string): void };
}

/** The registration endpoint, normalised; answers exactly what the provider answers otherwise. */
export function createRegistrationNormaliser(options: RegistrationNormaliserOptions) {
  return async function register(request: Request): Promise<Response> {
    const text = await request.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const normalised = normaliseRegistration(parsed);
    const headers = new Headers(request.headers);
    headers.delete('content-length');
    const forward = (body: string) => options.handler(new Request(request.url, { method: 'POST', headers, body }));
    if (!normalised) return forward(text);
    const response = await forward(JSON.stringify(normalised.body));
    if (response.status !== 201) return response;
    const registered = (await response.json()) as Record<string, unknown>;
    if (normalised.placeholders.size) {
      await options.restoreRedirectUris(String(registered.client_id), normalised.redirectUris);
      registered.redirect_uris = normalised.redirectUris;
    }
    options.log.info(
      { clientId: registered.client_id, clientName: registered.client_name, changes: normalised.changes },
      'client registration normalised',
    );
    const out = new Headers(response.headers);
    out.delete('content-length');
    return new Response(JSON.stringify(registered), { status: 201, headers: out });
  };
}
