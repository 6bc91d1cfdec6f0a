/**
 * Whether the HTTP server signs people in, and what it needs to: decided once at start, with a message
 * that names what is missing or unsafe.
 * @module
 */
import { ConfigError } from '../core/errors.js';

export interface AuthSettings {
  host: string;
  auth?: 'on' | 'off';
  allowUnauthenticated: boolean;
  allowedEmails: string[];
  oidcIssuer: string;
  oidcClientId?: string;
  oidcClientSecret?: string;
  authSecret?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * On loopback (a one-person server) sign-in is off unless asked for; anywhere else it is on, and turning
 * it off needs `--allow-unauthenticated` too. With sign-in on, the OIDC client and a stable secret are
 * required. Returns whether sign-in is on; throws a ConfigError naming what to set.
 */
export function resolveAuthMode(settings: AuthSettings): boolean {
  const loopback = LOOPBACK.has(settings.host);
  const on = (settings.auth ?? (loopback ? 'off' : 'on')) === 'on';
  if (!on && !loopback && !settings.allowUnauthenticated) {
    throw new ConfigError(
      `Sign-in is off (STUDIO_AUTH=off) on ${settings.host}, so anyone who reaches the server could generate images on your Gemini key. Turn it on (STUDIO_AUTH=on with STUDIO_OIDC_CLIENT_ID, STUDIO_OIDC_CLIENT_SECRET, STUDIO_AUTH_SECRET and STUDIO_ALLOWED_EMAILS), or add --allow-unauthenticated if something in front of the server already authenticates people.`,
    );
  }
  if (!on) return false;
  const missing = [
    settings.oidcClientId ? undefined : 'STUDIO_OIDC_CLIENT_ID',
    settings.oidcClientSecret ? undefined : 'STUDIO_OIDC_CLIENT_SECRET',
    settings.authSecret ? undefined : 'STUDIO_AUTH_SECRET (at least 32 random characters, the same on every instance)',
    settings.allowedEmails.length > 0 ? undefined : 'STUDIO_ALLOWED_EMAILS (who may sign in, comma-separated)',
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `Sign-in is on${loopback && settings.auth === 'on' ? '' : ` (the server listens on ${settings.host})`}, and it needs: ${missing.join('; ')}. The OIDC client comes from your provider (${settings.oidcIssuer}); see the README's team-server section.`,
    );
  }
  return true;
}
