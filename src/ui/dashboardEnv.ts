/**
 * What every dashboard section shares: the options the dashboard is made with and the Hono environment its
 * middleware fills (the viewer, and on a POST the checked form). A leaf module, so that routes.ts mounts the
 * sections (Hono sub-apps, `app.route()`) without the sections importing it back.
 * @module
 */
import type { Context, Hono } from 'hono';
import type { AccessList } from '../core/accessList.js';
import type { Logger } from '../core/logger.js';
import type { PipelineEngine } from '../core/pipelines/engine.js';
import type { StorageUse } from '../core/ports.js';
import type { Studio } from '../core/studio.js';
import type { DashboardSignIn, Viewer } from './viewer.js';

export interface DashboardOptions {
  studio: () => Promise<Studio>;
  /** Sign-in; absent when sign-in is off (the local user, not an admin, without signing in). */
  signIn?: Promise<DashboardSignIn>;
  /** Keys the CSRF tokens (STUDIO_AUTH_SECRET, or a random key per process). */
  secret: string;
  /** The public URL once listening: cookies are Secure unless it is plain-http loopback. */
  publicUrl: () => string | undefined;
  allowedEmails: readonly string[];
  adminEmails: readonly string[];
  /** The allow-list in the database, edited by admins on /ui/admin (absent: the configuration's, read-only). */
  access?: AccessList;
  /** Each person's images and bytes, for the admin page. */
  storage?: () => Promise<StorageUse[]>;
  log: Logger;
  now?: () => Date;
  /** The pipeline engine, for the Create and Edit forms (absent: the studio only looks back). */
  pipelines?: () => Promise<PipelineEngine>;
  /** Default of the engineer-prompt stage for a raw prompt (STUDIO_AUTO_STYLE), as for generate_image. */
  autoStyle?: boolean;
}

export type DashboardEnv = { Variables: { viewer: Viewer; form: Record<string, string> } };
export type DashboardContext = Context<DashboardEnv>;
/** A section of the dashboard: a sub-app that routes.ts mounts under its path, behind the viewer and CSRF checks. */
export type DashboardSection = Hono<DashboardEnv>;
