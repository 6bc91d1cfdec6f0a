/**
 * Resources `images://{id}` (the full bytes, real MIME type) and `images://{id}/metadata` (JSON), listable
 * and with id completion, so clients that read resources can fetch what resource links point to.
 * @module
 */

import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { imageSummary } from '../core/imageSummary.js';
import type { ImageRecord } from '../core/ports.js';
import type { CallContext, Studio } from '../core/studio.js';

export function registerImageResources(
  server: McpServer,
  studio: () => Promise<Studio>,
  call: CallContext,
  imageUrl: (r: ImageRecord) => Promise<string | undefined>,
) {
  const recent = async () => (await (await studio()).list(call, { limit: 50 })).images;
  const completeId = async (value: string) =>
    (await recent())
      .map((r) => r.id)
      .filter((id) => id.startsWith(value))
      .slice(0, 20);

  server.registerResource(
    'image',
    new ResourceTemplate('images://{id}', {
      list: async () => ({
        resources: (await recent()).map((r) => ({
          uri: `images://${r.id}`,
          name: r.id,
          title: truncate(r.prompt, 80),
          mimeType: r.mimeType,
          size: r.bytes,
        })),
      }),
      complete: { id: completeId },
    }),
    { title: 'Generated image', description: 'The full-resolution image bytes, with their real MIME type.' },
    async (uri, variables) => {
      const s = await studio();
      const record = await s.get(String(variables.id), call);
      const data = await s.readImage(record);
      return { contents: [{ uri: uri.href, mimeType: record.mimeType, blob: data.toString('base64') }] };
    },
  );

  server.registerResource(
    'image-metadata',
    new ResourceTemplate('images://{id}/metadata', { list: undefined, complete: { id: completeId } }),
    {
      title: 'Image metadata',
      description:
        'JSON (README, "Image JSON"): prompt, model, size, ratio, pixels, type, bytes, cost, tokens, lineage.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const s = await studio();
      const record = await s.get(String(variables.id), call);
      const json = JSON.stringify(imageSummary(record, s.registry, { url: await imageUrl(record) }), null, 2);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: json }] };
    },
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
