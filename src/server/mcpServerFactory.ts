/**
 * Builds the McpServer for one stdio connection or one HTTP request: the studio's tools and resources
 * bound to the caller's context. The raw McpServer stays inside this module and src/mcp/.
 * @module
 */
import os from 'node:os';
import { type McpRequestContext, McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { type PathPolicy, rootsFromUris } from '../core/allowedPaths.js';
import { createImageLinks } from '../core/imageLinks.js';
import { type CallContext, LOCAL_OWNER } from '../core/studio.js';
import { progressReporter, registerTools } from '../mcp/registerTools.js';
import { appTools } from '../tools/appTools.js';
import type { StudioToolContext } from '../tools/context.js';
import { galleryTools } from '../tools/galleryTools.js';
import { registerImageResources } from '../tools/imageResources.js';
import { imageTools } from '../tools/imageTools.js';
import { registerGalleryResource, showToMcpAppsClientsOnly } from '../tools/mcpApp.js';
import { registerPersonalTemplates, type SavedTemplate } from '../tools/personalTemplates.js';
import { pipelineTools } from '../tools/pipelineTools.js';
import { registerPromptTemplates } from '../tools/promptTemplates.js';
import { registerUploadResources, uploadTools } from '../tools/uploadTools.js';
import type { Runtime } from './runtime.js';
import { createToolErrorPresenter } from './toolErrors.js';

export type Transport = 'stdio' | 'http';

export const SERVER_INSTRUCTIONS =
  'Generates and edits images with Google Gemini (Nano Banana). generate_image makes new images (generate_image_async, get_image and cancel_pipeline for background work); propose_concepts sketches directions before paying for renders; edit_image changes an earlier one by id and keeps its conversation; list_images and image_info find earlier images. Keep the default model (Nano Banana 2 at 1K) unless the person asks otherwise. Every result names the image id: use it to edit or reuse the image.';

export function createMcpServerFactory(runtime: Runtime, transport: Transport) {
  const errors = createToolErrorPresenter(runtime.log.child({ area: 'mcp' }));
  const imageUrl = createImageLinks({
    mode: runtime.config.imageLinks,
    ttlSeconds: runtime.config.linkTtlSeconds,
    secret: runtime.config.linkSecret,
    publicUrl: () => runtime.publicUrl,
    presign: async (key, ttl) => (await runtime.blobs()).presignedUrl?.(key, ttl),
  });
  const shape = {
    imageResponses: runtime.config.imageResponses,
    maxResultBytes: runtime.config.maxResultBytes,
    maxPreviewBytes: runtime.config.maxPreviewBytes,
  };

  return async (requestCtx?: McpRequestContext): Promise<McpServer> => {
    const server = new McpServer(
      { name: 'nanobanana-studio', title: 'Nano Banana Studio', version: runtime.version },
      { capabilities: { tools: {}, resources: {}, prompts: {}, completions: {} }, instructions: SERVER_INSTRUCTIONS },
    );
    const paths = pathPolicyFor(server, runtime);
    // Signed in (HTTP with sign-in on): the person the access token was issued to; otherwise the one local user.
    const signedIn = requestCtx?.authInfo?.extra as { userId?: string; isAdmin?: boolean } | undefined;
    const baseCall: CallContext = signedIn?.userId
      ? { ownerId: signedIn.userId, isAdmin: signedIn.isAdmin === true }
      : { ownerId: LOCAL_OWNER };

    const makeContext = async (serverCtx: ServerContext): Promise<StudioToolContext> => {
      const studio = await runtime.studio();
      // The person's own choice (dashboard settings), read per call so that a change applies at once.
      const defaultModel = await studio.settings.defaultModel(baseCall.ownerId);
      return {
        studio,
        pipelines: await runtime.pipelines(),
        syncLimitMs: runtime.config.syncLimitSeconds * 1000,
        autoStyle: runtime.config.autoStyle,
        transport,
        imageUrl,
        shape,
        uploads: studio.uploads,
        call: {
          ...baseCall,
          ...(defaultModel ? { defaultModel } : {}),
          signal: serverCtx.mcpReq.signal,
          onProgress: progressReporter(serverCtx, (err) => runtime.log.debug({ err }, 'progress not delivered')),
          paths: transport === 'stdio' ? await paths() : undefined,
        },
      };
    };

    const registered = registerTools<StudioToolContext>(
      server,
      [...imageTools, ...pipelineTools, ...galleryTools, ...uploadTools, ...appTools],
      { makeContext, errors, maxResultBytes: runtime.config.maxResultBytes },
    );
    // The in-chat gallery (MCP Apps): its view and app-only tools, for the hosts that render it.
    const gallery = registerGalleryResource(server, () => runtime.publicUrl);
    showToMcpAppsClientsOnly(server, [...appTools.flatMap((t) => registered.get(t.name) ?? []), gallery]);
    registerImageResources(server, runtime.studio, baseCall, imageUrl);
    registerUploadResources(server, runtime.studio, baseCall);
    registerPromptTemplates(server);
    // The person's own templates (saved in the studio). Over HTTP the studio is open before the first request;
    // over stdio the handshake does not wait for storage, and they are added (list_changed) once it is open.
    const personal = personalTemplatesOf(runtime, baseCall.ownerId).then((t) => registerPersonalTemplates(server, t));
    if (transport === 'http') await personal;
    else void personal.catch((err) => runtime.log.warn({ err }, 'personal templates not loaded'));
    return server;
  };
}

async function personalTemplatesOf(runtime: Runtime, ownerId: string): Promise<SavedTemplate[]> {
  const library = (await runtime.studio()).library;
  if (!library) return [];
  const rows = await library.templates.list({ ownerId });
  // The person's own first, so that they win over a team template of the same name.
  return [...rows.filter((r) => r.scope === 'person'), ...rows.filter((r) => r.scope === 'team')].map((r) => ({
    name: r.name,
    value: r.value,
  }));
}

/**
 * The data folder, the client's MCP roots when it offers them, and either STUDIO_ALLOWED_ROOTS or, when
 * that is unset, the local default: the home folder and the working directory, sensitive places excepted
 * (src/core/allowedPaths.ts). The client is asked once per connection, and again only after it says its
 * roots changed.
 */
function pathPolicyFor(server: McpServer, runtime: Runtime): () => Promise<PathPolicy> {
  let clientRoots: Promise<string[]> | undefined;
  server.server.setNotificationHandler('notifications/roots/list_changed', () => {
    clientRoots = undefined;
  });
  const listClientRoots = async (): Promise<string[]> => {
    if (!server.server.getClientCapabilities()?.roots) return [];
    try {
      const listed = await server.server.listRoots(undefined, { timeout: 5_000 });
      return rootsFromUris(listed.roots.map((r) => r.uri));
    } catch (error) {
      // Not cached as empty for good: the next call asks again.
      clientRoots = undefined;
      runtime.log.debug({ err: error }, 'client did not list its roots');
      return [];
    }
  };
  return async () => {
    clientRoots ??= listClientRoots();
    const fromClient = await clientRoots;
    const explicit = runtime.config.allowedRoots;
    return {
      roots: [runtime.config.dataDir, ...explicit, ...fromClient],
      base: fromClient[0],
      protectedRoots: [runtime.config.dataDir],
      ...(explicit.length === 0 ? { home: os.homedir(), cwd: process.cwd() } : {}),
    };
  };
}
