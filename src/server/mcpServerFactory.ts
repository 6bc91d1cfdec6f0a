/**
 * Builds the McpServer for one stdio connection or one HTTP request: the studio's tools and resources
 * bound to the caller's context. The raw McpServer stays inside this module and src/mcp/.
 * @module
 */
import os from 'node:os';
import {
  type McpRequestContext,
  McpServer,
  type RegisteredPrompt,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { type PathPolicy, rootsFromUris } from '../core/allowedPaths.js';
import { describeNotice } from '../core/callNotices.js';
import { ForbiddenError, NotFoundError } from '../core/errors.js';
import { createImageLinks } from '../core/imageLinks.js';
import { currentRequest, newRequestId, runInRequest } from '../core/requestContext.js';
import { type CallContext, LOCAL_OWNER } from '../core/studio.js';
import { secondsSince, telemetry } from '../core/telemetry.js';
import { clientLog, honourSetLevel, LogLevelMemory } from '../mcp/clientLog.js';
import { installProtocolErrors } from '../mcp/protocolErrors.js';
import { progressReporter, registerTools } from '../mcp/registerTools.js';
import { appTools } from '../tools/appTools.js';
import { registerConformanceFixtures } from '../tools/conformanceFixtures.js';
import type { StudioToolContext } from '../tools/context.js';
import { galleryTools } from '../tools/galleryTools.js';
import { registerImageResources } from '../tools/imageResources.js';
import { imageTools } from '../tools/imageTools.js';
import { libraryTools } from '../tools/libraryTool.js';
import { registerGalleryResource, showToMcpAppsClientsOnly } from '../tools/mcpApp.js';
import { registerPersonalTemplates, type SavedTemplate } from '../tools/personalTemplates.js';
import { pipelineTools } from '../tools/pipelineTools.js';
import { registerPromptTemplates } from '../tools/promptTemplates.js';
import { registerUploadResources, uploadTools } from '../tools/uploadTools.js';
import type { Runtime } from './runtime.js';
import { createToolErrorPresenter } from './toolErrors.js';

export type Transport = 'stdio' | 'http';

export const SERVER_INSTRUCTIONS =
  'Generates and edits images with Google Gemini (Nano Banana). generate_image makes new images (generate_image_async, get_image and cancel_pipeline for background work); propose_concepts sketches directions before paying for renders; edit_image changes an earlier one by id and keeps its conversation; list_images and image_info find earlier images. Keep the default model (Nano Banana 2.1 at 1K) unless the person asks otherwise. Every result names the image id: use it to edit or reuse the image.';

export interface McpServerFactoryOptions {
  /** The official conformance suite's fixtures (npm run conformance only; see conformanceFixtures.ts). */
  conformanceFixtures?: boolean;
}

export function createMcpServerFactory(runtime: Runtime, transport: Transport, options: McpServerFactoryOptions = {}) {
  const errors = createToolErrorPresenter(runtime.log.child({ area: 'mcp' }), {
    masked: runtime.operations?.maskErrors ?? false,
  });
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
    previewEdge: runtime.config.previewEdge,
  };

  const logLevels = new LogLevelMemory();
  let connections = 0;

  return async (requestCtx?: McpRequestContext): Promise<McpServer> => {
    const server = new McpServer(
      { name: 'nanobanana-studio', title: 'Nano Banana Studio', version: runtime.version },
      {
        capabilities: { tools: {}, resources: {}, prompts: {}, completions: {}, logging: {} },
        instructions: SERVER_INSTRUCTIONS,
      },
    );
    const era = requestCtx?.era ?? 'legacy';
    installProtocolErrors(server, {
      era,
      isNotFound: (error) => error instanceof NotFoundError || error instanceof ForbiddenError,
    });
    // The level a client sets lasts for its connection (stdio) or its access token (HTTP, stateless).
    connections += 1;
    const logKey = transport === 'stdio' ? `stdio:${connections}` : (requestCtx?.authInfo?.token ?? 'http:local');
    honourSetLevel(server, logLevels, logKey);
    const paths = pathPolicyFor(server, runtime);
    // Signed in (HTTP with sign-in on): the person the access token was issued to; otherwise the one local user.
    const signedIn = requestCtx?.authInfo?.extra as { userId?: string; isAdmin?: boolean } | undefined;
    const baseCall: CallContext = signedIn?.userId
      ? { ownerId: signedIn.userId, isAdmin: signedIn.isAdmin === true }
      : { ownerId: LOCAL_OWNER };

    // The person's own templates as prompts; listed again when studio_library changes them.
    let personalPrompts: Promise<RegisteredPrompt[]> | undefined;
    const loadPersonalTemplates = () => {
      const before = personalPrompts;
      personalPrompts = (async () => {
        for (const prompt of (await before?.catch(() => [])) ?? []) prompt.remove();
        return registerPersonalTemplates(server, await personalTemplatesOf(runtime, baseCall.ownerId));
      })();
      return personalPrompts;
    };

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
        onTemplatesChanged: async () => void (await loadPersonalTemplates()),
        call: {
          ...baseCall,
          ...(defaultModel ? { defaultModel } : {}),
          signal: serverCtx.mcpReq.signal,
          onProgress: progressReporter(serverCtx, (err) => runtime.log.debug({ err }, 'progress not delivered')),
          onNotice: (notice) => {
            const { level, message } = describeNotice(notice);
            clientLog(serverCtx, { memory: logLevels, key: logKey, era, logger: 'nanobanana-studio' }, (err) =>
              runtime.log.debug({ err }, 'log message not delivered'),
            )(level, message);
          },
          paths: transport === 'stdio' ? await paths() : undefined,
        },
      };
    };

    const registered = registerTools<StudioToolContext>(
      server,
      [...imageTools, ...pipelineTools, ...galleryTools, ...uploadTools, ...libraryTools, ...appTools],
      { makeContext, errors, maxResultBytes: runtime.config.maxResultBytes, around: observeToolCall },
    );
    // The in-chat gallery (MCP Apps): its view and app-only tools, for the hosts that render it.
    const gallery = registerGalleryResource(server, () => runtime.publicUrl);
    showToMcpAppsClientsOnly(server, [...appTools.flatMap((t) => registered.get(t.name) ?? []), gallery]);
    registerImageResources(server, runtime.studio, baseCall, imageUrl);
    registerUploadResources(server, runtime.studio, baseCall);
    registerPromptTemplates(server);
    if (options.conformanceFixtures)
      registerConformanceFixtures(server, (ctx) =>
        clientLog(ctx, { memory: logLevels, key: logKey, era, logger: 'conformance' }, () => {}),
      );
    // The person's own templates (saved in the studio). Over HTTP the studio is open before the first request;
    // over stdio the handshake does not wait for storage, and they are added (list_changed) once it is open.
    const personal = loadPersonalTemplates();
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
 * Each tool call runs under a request id (the HTTP request's, or its own on stdio), in a span, counted
 * and timed by tool and outcome.
 */
function observeToolCall(
  tool: string,
  run: () => Promise<'ok' | 'error' | 'internal_error'>,
): Promise<'ok' | 'error' | 'internal_error'> {
  const request = currentRequest() ?? { requestId: newRequestId() };
  return runInRequest(request, async () => {
    const started = performance.now();
    const outcome = await telemetry()
      .span(`tool ${tool}`, { 'mcp.tool.name': tool }, async () => {
        const result = await run();
        if (result === 'internal_error') throw new Error(`tool ${tool} failed`);
        return result;
      })
      .catch(() => 'internal_error' as const);
    telemetry().count('tool_calls_total', { tool, outcome });
    telemetry().observe('tool_call_duration_seconds', { tool }, secondsSince(started));
    return outcome;
  });
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
