/**
 * Reading an OAuth request's parameters without consuming it (better-auth reads the body after us):
 * form-encoded as RFC 6749 says, or JSON, which better-auth also takes. Bodies are already capped by the
 * HTTP layer's limits, so reading a copy costs at most that.
 * @module
 */

export async function requestParams(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? '';
  const text = await request.clone().text();
  if (type.includes('application/json')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') params.set(k, v);
      return params;
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

/** The client named by the request: HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or `client_id`. */
export function requestClientId(request: Request, params: URLSearchParams): string | undefined {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    }
  }
  return params.get('client_id') ?? undefined;
}

export function oauthError(status: number, error: string, description: string): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}
