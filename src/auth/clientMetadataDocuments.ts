/**
 * Client ID Metadata Documents (CIMD): a client may use an HTTPS URL as its client_id, pointing to a JSON
 * document with its name and redirect URIs (claude.ai and other MCP clients do, instead of registering).
 * Plugged into better-auth's OAuth provider as a client discovery: the document is fetched when the client
 * is first seen (and again after an hour), validated, and kept as the client's registration.
 * @module
 */
import { extendOAuthProvider } from '@better-auth/oauth-provider';
import { registerClientMetadataDocument } from '@better-auth/oauth-provider/internal';
import { normaliseRegistration } from './registrationNormaliser.js';

const DISCOVERY_ID = 'cimd';
const MAX_BYTES = 64 * 1024;
const TIMEOUT_MS = 5_000;
const REFRESH_MS = 3_600_000;

export interface ClientMetadataDocumentOptions {
  /** Fetch documents from loopback and private-network hosts too (development and tests only). */
  allowPrivateHosts: boolean;
  log: { warn(obj: object, msg: string): void };
}

/** Whether `clientId` is a URL this server treats as a metadata document (HTTPS, with a path). */
export function isMetadataDocumentUrl(clientId: string, allowPrivateHosts: boolean): boolean {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.pathname === '/' || url.hash || url.username || url.password) return false;
  return allowPrivateHosts || !isPrivateHost(url.hostname);
}

function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    /^127\./.test(h) ||
    /^10\./.test(h) ||
    /^192\.168\./.test(h) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(h) ||
    /^169\.254\./.test(h) ||
    /^f[cd][0-9a-f]{2}:/.test(h) ||
    /^fe80:/.test(h)
  );
}

async function fetchDocument(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`the client metadata document answered ${response.status}`);
  const text = await readAtMost(response, MAX_BYTES);
  const document = JSON.parse(text) as Record<string, unknown>;
  if (document.client_id !== url) throw new Error('the client metadata document names another client_id');
  if (!Array.isArray(document.redirect_uris) || document.redirect_uris.length === 0)
    throw new Error('the client metadata document has no redirect_uris');
  return document;
}

/** The body as text, read only up to `max` bytes: a larger document is cut off, not read whole. */
async function readAtMost(response: Response, max: number): Promise<string> {
  const tooLarge = () => new Error('the client metadata document is larger than 64 KB');
  if (Number(response.headers.get('content-length') ?? 0) > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const read = await reader?.read();
    if (!read || read.done) break;
    size += read.value.byteLength;
    if (size > max) {
      await reader?.cancel();
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// biome-ignore lint/suspicious/noExplicitAny: better-auth's plugin and endpoint-context types are generic internals.
type Any = any;

/** The better-auth plugin; put it after the MCP plugin. */
export function clientMetadataDocuments(options: ClientMetadataDocumentOptions) {
  const discovery = {
    id: DISCOVERY_ID,
    matches: (clientId: string) => isMetadataDocumentUrl(clientId, options.allowPrivateHosts),
    discoveryMetadata: { client_id_metadata_document_supported: true },
    async resolve(ctx: Any, clientId: string, existing: Any) {
      const updatedAt = existing?.updatedAt ? new Date(existing.updatedAt).getTime() : 0;
      if (existing && Date.now() - updatedAt < REFRESH_MS) return existing;
      let metadata: Record<string, unknown>;
      try {
        metadata = await fetchDocument(clientId);
      } catch (error) {
        options.log.warn({ clientId, err: (error as Error).message }, 'client metadata document refused');
        // A stored registration keeps working while its document is unreachable; a new one fails closed.
        return existing ?? null;
      }
      const provider = ctx.context.getPlugin('oauth-provider');
      // The same rules as dynamic registration: private-use redirects (cursor://…) through a placeholder.
      const normalised = normaliseRegistration(metadata);
      const result = await registerClientMetadataDocument(ctx, provider.options, {
        clientId,
        clientDiscoveryId: DISCOVERY_ID,
        metadata: normalised?.body ?? metadata,
        existingClient: existing ?? undefined,
      } as Any);
      const client = (result as Any).client ?? null;
      if (client && normalised?.placeholders.size) {
        await ctx.context.adapter.update({
          model: 'oauthClient',
          where: [{ field: 'clientId', value: clientId }],
          update: { redirectUris: normalised.redirectUris },
        });
        client.redirectUris = normalised.redirectUris;
      }
      return client;
    },
  };
  return {
    id: 'nanobanana-client-metadata-documents',
    init(ctx: Any) {
      extendOAuthProvider(ctx, { clientDiscovery: discovery } as Any);
    },
  };
}
