/**
 * Who is looking at the dashboard: a signed-in person (better-auth's session), or, with sign-in off, the
 * one local user. The local user is not an admin: with sign-in off there are no people to administer, and
 * the local user's images, costs and settings are all there is (budgets: `nanobanana-studio budget`).
 * @module
 */
import { LOCAL_OWNER } from '../core/studio.js';

export interface Viewer {
  ownerId: string;
  /** Absent for the local user. */
  email?: string;
  isAdmin: boolean;
  /** The CSRF token every form of this viewer carries. */
  csrf: string;
  /** True with sign-in off. */
  local: boolean;
}

/** What the dashboard needs of the sign-in server (src/auth implements it). */
export interface DashboardSignIn {
  sessionUser(
    request: Request,
  ): Promise<{ userId: string; email: string; isAdmin: boolean; sessionId: string } | undefined>;
  startSignIn(request: Request, paths: { callbackURL: string; errorCallbackURL: string }): Promise<Response>;
  signOut(request: Request, then: string): Promise<Response>;
  /** Why a sign-in was refused (`?error=` on the error callback), and what to do: worded by the sign-in server. */
  refusal(error: string): string;
}

export const LOCAL_VIEWER = { ownerId: LOCAL_OWNER, isAdmin: false, local: true } as const;

/** `ctx` for core calls: the viewer's rights. */
export function rightsOf(viewer: Viewer): { ownerId: string; isAdmin: boolean } {
  return { ownerId: viewer.ownerId, isAdmin: viewer.isAdmin };
}
