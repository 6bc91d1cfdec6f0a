/**
 * The in-chat gallery (MCP Apps, extension `io.modelcontextprotocol/ui`): the `ui://nanobanana/gallery.html`
 * resource (one self-contained HTML file built from src/app/ by scripts/buildApp.mjs), the `_meta` that links
 * generate_image, edit_image and get_image to it, and which clients are shown the app-only tools.
 * Hosts without MCP Apps ignore all of this and keep getting the text and preview results.
 * @module
 */
import { readFile } from 'node:fs/promises';
import {
  getUiCapability,
  RESOURCE_MIME_TYPE,
  RESOURCE_URI_META_KEY,
  registerAppResource,
} from '@modelcontextprotocol/ext-apps/server';
import type { ClientCapabilities, McpServer, RegisteredResource, RegisteredTool } from '@modelcontextprotocol/server';
import type { ImageSummary } from '../core/imageSummary.js';

export const GALLERY_URI = 'ui://nanobanana/gallery.html';

/**
 * The key under which image tool results carry their machine-readable part in `_meta`, which MCP Apps hosts
 * pass to the view and keep out of the model's context. Not `structuredContent`: Claude Code drops a
 * result's images when that is present (see mcp/toolResponse.ts).
 */
export const RESULT_META_KEY = 'nanobanana-studio/result';

/** `_meta[RESULT_META_KEY]` of an image tool result: what the gallery reads, never the prose. */
export interface ResultData {
  /** The result's images (README, "Image JSON"), in the order of its previews and resource links. */
  images: ImageSummary[];
  /** Pipelines still running when the synchronous limit passed: get_image takes them from here. */
  running_pipelines: string[];
}

/** `_meta` of the tools whose results the gallery shows (the legacy flat key too, for older hosts). */
export const galleryToolMeta = { ui: { resourceUri: GALLERY_URI }, [RESOURCE_URI_META_KEY]: GALLERY_URI };

/** `_meta` of the tools only the gallery calls: hosts with MCP Apps keep them out of the model's tool list. */
export const appOnlyToolMeta = {
  ui: { resourceUri: GALLERY_URI, visibility: ['app'] },
  [RESOURCE_URI_META_KEY]: GALLERY_URI,
};

/** Whether the client declared MCP Apps support (the extension, with the HTML view MIME type). */
export function supportsMcpApps(capabilities: ClientCapabilities | undefined): boolean {
  return getUiCapability(capabilities)?.mimeTypes?.includes(RESOURCE_MIME_TYPE) ?? false;
}

/**
 * Offers the app-only tools (and the view) only to clients that declared MCP Apps: `visibility: ['app']` is
 * a rule for hosts that implement MCP Apps, any other client would show the tools to the model. Decided per
 * request from what the client declared: at `initialize` (stdio) or in the request's own envelope
 * (2026-07-28 era). A stateless 2025-era HTTP request carries no capabilities at all; there they stay
 * offered, since the hosts with MCP Apps (which hide them from the model) need them and cannot be told apart.
 */
export function showToMcpAppsClientsOnly(server: McpServer, items: Array<RegisteredTool | RegisteredResource>): void {
  const visible = () => {
    const capabilities = server.server.getClientCapabilities();
    return capabilities === undefined || supportsMcpApps(capabilities);
  };
  // McpServer reads `enabled` on every list, call and read; nothing here calls enable()/disable().
  for (const item of items) Object.defineProperty(item, 'enabled', { get: visible, configurable: true });
}

let html: Promise<string> | undefined;

/** The bundled view, read once. */
function galleryHtml(): Promise<string> {
  html ??= readFile(new URL('../app/gallery.html', import.meta.url), 'utf8').catch((error: unknown) => {
    html = undefined;
    throw new Error(
      `The gallery view (dist/app/gallery.html) is missing; build it with \`npm run build\`. ${String(error)}`,
    );
  });
  return html;
}

/**
 * Registers `ui://nanobanana/gallery.html`. The view reads images as resources (data URLs, allowed by the
 * hosts' default CSP); the server's own origin is declared too, for the `/i/` links of an HTTP server.
 */
export function registerGalleryResource(server: McpServer, publicUrl: () => string | undefined): RegisteredResource {
  const ui = () => {
    const base = publicUrl();
    return { prefersBorder: true, ...(base ? { csp: { resourceDomains: [new URL(base).origin] } } : {}) };
  };
  return registerAppResource(
    server,
    'gallery',
    GALLERY_URI,
    {
      title: 'Nano Banana gallery',
      description: 'In-chat gallery for image results (MCP Apps view).',
      _meta: { ui: { prefersBorder: true } },
    },
    async () => ({
      contents: [{ uri: GALLERY_URI, mimeType: RESOURCE_MIME_TYPE, text: await galleryHtml(), _meta: { ui: ui() } }],
    }),
  );
}
