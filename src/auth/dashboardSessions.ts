/**
 * Sign-in for people in a browser (the studio dashboard at /ui): better-auth's own session cookie, made by
 * its social sign-in through the same OpenID provider and allow-list as MCP clients.
 * @module
 */

/** A person signed in to the dashboard. `sessionId` keys their CSRF tokens. */
export interface SessionUser {
  userId: string;
  email: string;
  isAdmin: boolean;
  sessionId: string;
}

export interface DashboardSessions {
  /** The person behind the request's session cookie, or undefined (none, expired, or email no longer allowed). */
  sessionUser(request: Request): Promise<SessionUser | undefined>;
  /** Starts the sign-in: a redirect to the provider, with better-auth's state cookie. */
  startSignIn(request: Request, paths: { callbackURL: string; errorCallbackURL: string }): Promise<Response>;
  /** Ends the session; the answer carries the cookies that clear it (and redirects to `then`). */
  signOut(request: Request, then: string): Promise<Response>;
}

interface SessionApi {
  api: {
    getSession(input: {
      headers: Headers;
    }): Promise<{ session: { id: string }; user: { id: string; email: string } } | null>;
  };
}

export function createDashboardSessions(options: {
  auth: SessionApi;
  /** A POST to one of better-auth's endpoints, as the browser would have made it. */
  internal(path: string, cookie: string | undefined, body: unknown): Promise<Response>;
  isAllowed(email: string): boolean;
  isAdmin(email: string): boolean;
  remember(userId: string, email: string): Promise<void>;
}): DashboardSessions {
  return {
    async sessionUser(request) {
      if (!request.headers.get('cookie')) return undefined;
      const found = await options.auth.api.getSession({ headers: request.headers }).catch(() => null);
      if (!found) return undefined;
      const email = found.user.email.toLowerCase();
      if (!options.isAllowed(email)) return undefined;
      await options.remember(found.user.id, email);
      return { userId: found.user.id, email, isAdmin: options.isAdmin(email), sessionId: found.session.id };
    },

    async startSignIn(request, paths) {
      const res = await options.internal('/sign-in/social', request.headers.get('cookie') ?? undefined, {
        provider: 'oidc',
        ...paths,
      });
      const body = (await res.json().catch(() => ({}))) as { url?: string };
      if (!res.ok || !body.url) throw new Error(`better-auth answered ${res.status} to the social sign-in`);
      const headers = new Headers({ location: body.url, 'cache-control': 'no-store' });
      for (const cookie of res.headers.getSetCookie()) headers.append('set-cookie', cookie);
      return new Response(null, { status: 302, headers });
    },

    async signOut(request, then) {
      const res = await options.internal('/sign-out', request.headers.get('cookie') ?? undefined, {});
      const headers = new Headers({ location: then, 'cache-control': 'no-store' });
      for (const cookie of res.headers.getSetCookie()) headers.append('set-cookie', cookie);
      return new Response(null, { status: 303, headers });
    },
  };
}
