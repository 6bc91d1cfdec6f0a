/**
 * Which browser origins may talk to /mcp, on every bind (2025-11-25 basic/transports: servers MUST validate
 * Origin and answer 403 to one they do not allow). Requests without an Origin (every non-browser client)
 * pass. Allowed: the origins configured (STUDIO_ALLOWED_ORIGINS), the server's own hostnames
 * (STUDIO_ALLOWED_HOSTS, STUDIO_PUBLIC_URL), and localhost when the server listens on loopback. The MCP
 * Hono app enforces the list (hostnames, port-agnostic, as the SDK's originValidation compares them).
 * @module
 */

import type { MiddlewareHandler } from 'hono';

export interface OriginPolicyOptions {
  /** Configured origins: `https://app.example.com` or a bare hostname. */
  allowedOrigins: string[];
  /** The hostnames this server answers to (STUDIO_ALLOWED_HOSTS). */
  allowedHosts: string[];
  publicUrl?: string;
  localBind: boolean;
}

export interface OriginPolicy {
  /** Allowed hostnames, for the SDK's origin validation. */
  hostnames: string[];
  /** Whether a browser at `origin` may call /mcp. */
  allows(origin: string | undefined | null): boolean;
}

const LOCALHOST = ['localhost', '127.0.0.1', '[::1]'];

export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const hostnames = new Set<string>();
  for (const entry of options.allowedOrigins) hostnames.add(hostnameOf(entry));
  for (const host of options.allowedHosts) hostnames.add(hostnameOf(host));
  if (options.publicUrl) hostnames.add(new URL(options.publicUrl).hostname);
  if (options.localBind) for (const h of LOCALHOST) hostnames.add(h);
  const list = [...hostnames].filter(Boolean);
  return {
    hostnames: list,
    allows(origin) {
      if (!origin) return true;
      try {
        return list.includes(new URL(origin).hostname);
      } catch {
        return false;
      }
    },
  };
}

function hostnameOf(entry: string): string {
  const trimmed = entry.trim().toLowerCase();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(trimmed)) return new URL(trimmed).hostname;
    return new URL(`http://${trimmed}`).hostname;
  } catch {
    return trimmed;
  }
}

/** 403 with a JSON-RPC error for a browser Origin the policy does not allow (before any sign-in challenge). */
export function originGate(policy: OriginPolicy): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (policy.allows(origin)) return next();
    return c.json(
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32000,
          message: `Origin ${origin} is not allowed to call this MCP server. Its operator can add it to STUDIO_ALLOWED_ORIGINS.`,
        },
      },
      403,
    );
  };
}
