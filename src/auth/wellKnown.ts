/**
 * The metadata MCP clients discover, as better-auth serves it plus what the MCP spec asks for:
 * `scopes_supported` in the protected-resource metadata (RFC 9728; 2025-06-18 clients choose their scope
 * from it), and the authorization-server metadata (RFC 8414) also at the root well-known path, where
 * clients of the 2025-03-26 revision look for it (they derive it from the MCP server's origin).
 * @module
 */

const ROOT_PATHS: Record<string, string> = {
  '/.well-known/oauth-authorization-server': '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration': '/.well-known/openid-configuration',
};

export async function serveWellKnown(
  request: Request,
  handler: (request: Request) => Promise<Response>,
  options: { authBase: string; scopes: readonly string[] },
): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname.replace(/\/+$/, '');
  const rootAlias = ROOT_PATHS[path];
  if (rootAlias) {
    // The issuer has a path (/api/auth), so its metadata lives at the path-inserted URL (RFC 8414 §3.1).
    const target = new URL(`${rootAlias}${options.authBase}`, url);
    return handler(new Request(target, { headers: request.headers }));
  }
  const response = await handler(request);
  if (!path.startsWith('/.well-known/oauth-protected-resource') || response.status !== 200) return response;
  const metadata = (await response.json()) as Record<string, unknown>;
  if (!Array.isArray(metadata.scopes_supported) || metadata.scopes_supported.length === 0)
    metadata.scopes_supported = [...options.scopes];
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(metadata), { status: 200, headers });
}
