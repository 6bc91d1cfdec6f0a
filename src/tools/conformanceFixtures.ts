/**
 * The fixtures the official conformance suite (`@modelcontextprotocol/conformance`) calls by name, for
 * `npm run conformance` only (STUDIO_CONFORMANCE_FIXTURES=true, never in a real deployment). They are
 * registered on the product's own factory, so the scenarios exercise what real clients meet: the HTTP stack,
 * the capabilities, the logging level kept across stateless requests, progress, completions and the
 * protocol-error wrappers. The studio's own tools, resources and prompts are listed next to them.
 * @module
 */
import { completable, type McpServer, ResourceTemplate, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ClientLog } from '../mcp/clientLog.js';

/** A 1x1 red PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** A WAV header with no samples (44 bytes). */
const WAV = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([36, 0, 0, 0]),
  Buffer.from('WAVEfmt '),
  Buffer.from([16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0]),
  Buffer.from('data'),
  Buffer.from([0, 0, 0, 0]),
]).toString('base64');

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function registerConformanceFixtures(server: McpServer, logFor: (ctx: ServerContext) => ClientLog): void {
  const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });
  const embedded = {
    type: 'resource' as const,
    resource: {
      uri: 'test://embedded-resource',
      mimeType: 'text/plain',
      text: 'This is an embedded resource content.',
    },
  };
  server.registerTool('test_simple_text', { description: 'Conformance: simple text.' }, async () =>
    text('This is a simple text response for testing.'),
  );
  server.registerTool('test_image_content', { description: 'Conformance: image content.' }, async () => ({
    content: [{ type: 'image', data: PNG, mimeType: 'image/png' }],
  }));
  server.registerTool('test_audio_content', { description: 'Conformance: audio content.' }, async () => ({
    content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }],
  }));
  server.registerTool('test_embedded_resource', { description: 'Conformance: embedded resource.' }, async () => ({
    content: [embedded],
  }));
  server.registerTool('test_multiple_content_types', { description: 'Conformance: mixed content.' }, async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PNG, mimeType: 'image/png' },
      embedded,
    ],
  }));
  server.registerTool('test_tool_with_logging', { description: 'Conformance: logs while it runs.' }, async (ctx) => {
    const log = logFor(ctx);
    for (const step of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
      log('info', step);
      await pause(50);
    }
    return text('Tool with logging executed successfully');
  });
  server.registerTool('test_error_handling', { description: 'Conformance: a tool error.' }, async () => ({
    ...text('This tool intentionally returns an error for testing'),
    isError: true,
  }));
  server.registerTool('test_tool_with_progress', { description: 'Conformance: progress.' }, async (ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (token !== undefined)
        await ctx.mcpReq.notify({
          method: 'notifications/progress',
          params: { progressToken: token, progress, total: 100 },
        });
      await pause(50);
    }
    return text(String(token ?? 'no progress token'));
  });

  server.registerResource('static-text', 'test://static-text', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  }));
  server.registerResource('static-binary', 'test://static-binary', { mimeType: 'image/png' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG }],
  }));
  server.registerResource('example-resource', 'test://example-resource', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Example resource content.' }],
  }));
  server.registerResource(
    'template-data',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { mimeType: 'application/json' },
    async (uri, variables) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id: variables.id, templateTest: true, data: `Data for ID: ${variables.id}` }),
        },
      ],
    }),
  );

  const user = (t: string) => ({ role: 'user' as const, content: { type: 'text' as const, text: t } });
  server.registerPrompt('test_simple_prompt', { description: 'Conformance: simple prompt.' }, () => ({
    messages: [user('This is a simple prompt for testing.')],
  }));
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'Conformance: prompt with arguments.',
      argsSchema: z.object({
        arg1: completable(z.string(), (value) => ['testValue1', 'test-completion'].filter((v) => v.startsWith(value))),
        arg2: z.string(),
      }),
    },
    ({ arg1, arg2 }) => ({ messages: [user(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`)] }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'Conformance: prompt with a resource.', argsSchema: z.object({ resourceUri: z.string() }) },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        user('Please process the embedded resource above.'),
      ],
    }),
  );
  server.registerPrompt('test_prompt_with_image', { description: 'Conformance: prompt with an image.' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      user('Please analyze the image above.'),
    ],
  }));
}
