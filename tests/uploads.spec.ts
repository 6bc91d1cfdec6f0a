/**
 * upload_file, list_uploads, delete_upload and the `gemini://files/{name}` resource, through the real MCP
 * client against the built CLI over stdio and HTTP, with Gemini played by the emulator; then the upload
 * service in-process (real SQLite, blob folder and Gemini client) for what one local owner cannot show.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { createUploadService, type UploadService } from '../src/core/uploads.js';
import { createGeminiClient } from '../src/gemini/index.js';
import {
  createLocalBlobStore,
  createUploadRepository,
  type Database,
  newUploadId,
  openDatabase,
} from '../src/store/index.js';
import { generateRequests, marker, type RecordedRequest } from './helpers/emulator.js';
import { idsOf, type TransportKind, textOf } from './helpers/studio.js';
import { useEmulator, useStudio } from './helpers/useStudio.js';

const HOUR = 60 * 60 * 1000;
const emu = useEmulator();

let shade = 0;
/** A small PNG with its own bytes (uploads of equal bytes are deduplicated). */
async function png(size = 8): Promise<Buffer> {
  shade += 1;
  const background = { r: (shade * 37) % 256, g: (shade * 91) % 256, b: (shade * 53) % 256 };
  return sharp({ create: { width: size, height: size, channels: 3, background } })
    .png()
    .toBuffer();
}

/** Resumable-upload start requests whose metadata (the display name) mentions `m`. */
function uploadStarts(m: string): RecordedRequest[] {
  return emu.requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path.startsWith('/upload/') &&
      r.headers['x-goog-upload-command'] === 'start' &&
      JSON.stringify(r.body ?? '').includes(m),
  );
}

type Part = Record<string, unknown> & {
  inlineData?: { data: string; mimeType: string };
  fileData?: { fileUri: string };
};
function firstPart(m: string, index = 0): Part | undefined {
  return generateRequests(emu, m)[index]?.body.contents?.at(-1)?.parts?.[0] as Part | undefined;
}

function uploadIdOf(result: { content?: unknown }): string {
  const id = /\b(upl_[a-z0-9]{26})\b/.exec(textOf(result))?.[1];
  if (!id) throw new Error(`no upload id in: ${textOf(result)}`);
  return id;
}

describe.each<TransportKind>(['stdio', 'http'])('upload tools over %s', (kind) => {
  const studio = useStudio(kind, { emulator: emu });
  const call = studio.call;
  const readJson = async (uri: string) => {
    const resource = await studio.client.readResource({ uri });
    return JSON.parse(String((resource.contents[0] as { text: string }).text)) as Record<string, unknown>;
  };

  it('upload_file (data: a PNG becomes an id usable in reference_images and edit_image)', async () => {
    const bytes = await png();
    const m = marker('inline');
    const uploaded = await call('upload_file', { data: bytes.toString('base64'), display_name: `logo ${m}` });
    expect(uploaded.isError, textOf(uploaded)).toBeFalsy();
    const id = uploadIdOf(uploaded);
    expect(textOf(uploaded)).toContain(`"logo ${m}", image/png`);
    expect(textOf(uploaded)).toContain('sent inline');
    expect(uploadStarts(m)).toHaveLength(0); // small files stay off the Files API

    const generated = await call('generate_image', { prompt: `a poster ${m}`, reference_images: [id] });
    expect(generated.isError, textOf(generated)).toBeFalsy();
    expect(firstPart(`a poster ${m}`)?.inlineData).toEqual({ mimeType: 'image/png', data: bytes.toString('base64') });

    const edited = await call('edit_image', { image: id, instruction: `make it blue ${m}` });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    expect(idsOf(edited)).toHaveLength(1);
    const contents = generateRequests(emu, `make it blue ${m}`)[0]?.body.contents ?? [];
    expect(contents).toHaveLength(1); // a new conversation, with the upload as the first reference
    expect((contents[0]?.parts?.[0] as Part | undefined)?.inlineData?.data).toBe(bytes.toString('base64'));

    // The same bytes again: the same upload (a data: URL with the right type is accepted).
    const again = await call('upload_file', { data: `data:image/png;base64,${bytes.toString('base64')}` });
    expect(uploadIdOf(again)).toBe(id);
    expect(textOf(again)).toContain('uploaded before');
  });

  it('upload_file (to_gemini: resumable upload, fileData in requests, re-uploaded after 48 h)', async () => {
    const bytes = await png(16);
    const m = marker('gemini');
    const uploaded = await call('upload_file', {
      data: bytes.toString('base64'),
      display_name: `photo ${m}`,
      mime_type: 'image/png',
      to_gemini: true,
    });
    expect(uploaded.isError, textOf(uploaded)).toBeFalsy();
    const id = uploadIdOf(uploaded);
    expect(uploadStarts(m)).toHaveLength(1);
    const name = /on Gemini as (files\/[a-z0-9-]+)/.exec(textOf(uploaded))?.[1] ?? '';
    expect(name).toMatch(/^files\//);
    const link = (uploaded.content as Array<{ type: string; uri?: string }>).find((b) => b.type === 'resource_link');
    expect(link?.uri).toBe(`gemini://files/${name.slice('files/'.length)}`);

    const meta = await readJson(link?.uri ?? '');
    expect(meta).toMatchObject({
      name,
      mime_type: 'image/png',
      size_bytes: bytes.length,
      state: 'ACTIVE',
      upload_id: id,
    });
    expect(Date.parse(String(meta.expiration_time)) - Date.parse(String(meta.create_time))).toBe(48 * HOUR);
    expect(String(meta.uri)).toMatch(/^https:\/\/generativelanguage\.googleapis\.com\/v1beta\/files\//);
    expect(await readJson(`gemini://files/${id}`)).toMatchObject({ name }); // the upload id works too

    const first = await call('generate_image', { prompt: `first use ${m}`, reference_images: [id] });
    expect(first.isError, textOf(first)).toBeFalsy();
    const firstUri = firstPart(`first use ${m}`)?.fileData?.fileUri;
    expect(firstUri).toBe(meta.uri);

    emu.clock.advance(48 * HOUR + 60_000); // Gemini has dropped its copy
    const second = await call('generate_image', { prompt: `second use ${m}`, reference_images: [id] });
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(uploadStarts(m)).toHaveLength(2);
    const secondUri = firstPart(`second use ${m}`)?.fileData?.fileUri;
    expect(secondUri).toBeTruthy();
    expect(secondUri).not.toBe(firstUri);

    // The old name is gone; the listing shows the new copy, whose resource reads.
    await expect(readJson(link?.uri ?? '')).rejects.toThrow(/None of your uploads has the Gemini file/);
    const listed = textOf(await call('list_uploads', {}));
    const newName = new RegExp(`${id}: .*on Gemini as (files/[a-z0-9-]+)`).exec(listed)?.[1] ?? '';
    expect(newName).not.toBe(name);
    expect(await readJson(`gemini://files/${newName.slice('files/'.length)}`)).toMatchObject({
      name: newName,
      uri: secondUri,
      state: 'ACTIVE',
    });
    const templates = await studio.client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain('gemini://files/{name}');
    const resources = await studio.client.listResources();
    expect(resources.resources.map((r) => r.uri)).toContain(`gemini://files/${newName.slice('files/'.length)}`);

    // Edit straight from the Gemini copy.
    const edited = await call('edit_image', { image: id, instruction: `crop it ${m}` });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    expect(firstPart(`crop it ${m}`)?.fileData?.fileUri).toBe(secondUri);
  });

  it('gemini://files/{name} (unknown name, upload without a Gemini copy)', async () => {
    await expect(studio.client.readResource({ uri: 'gemini://files/nosuchfile' })).rejects.toThrow(
      /None of your uploads has the Gemini file files\/nosuchfile/,
    );
    const id = uploadIdOf(await call('upload_file', { data: (await png()).toString('base64') }));
    await expect(studio.client.readResource({ uri: `gemini://files/${id}` })).rejects.toThrow(/has no copy on Gemini/);
  });

  it('list_uploads and delete_upload (a deleted id no longer works)', async () => {
    const m = marker('delete');
    const local = uploadIdOf(await call('upload_file', { data: (await png()).toString('base64'), display_name: m }));
    const remote = uploadIdOf(
      await call('upload_file', { data: (await png()).toString('base64'), display_name: `${m}r`, to_gemini: true }),
    );
    const listed = textOf(await call('list_uploads', { limit: 100 }));
    expect(listed).toContain(`${local}: "${m}"`);
    expect(listed.indexOf(remote)).toBeLessThan(listed.indexOf(local)); // newest first
    const geminiName = new RegExp(`${remote}: .*on Gemini as (files/[a-z0-9-]+)`).exec(listed)?.[1];

    const deleted = await call('delete_upload', { id: local });
    expect(deleted.isError, textOf(deleted)).toBeFalsy();
    expect(textOf(deleted)).toContain(`Deleted upload ${local}`);
    const deletedRemote = await call('delete_upload', { id: remote });
    expect(textOf(deletedRemote)).toContain(`and its Gemini copy ${geminiName}`);
    expect(emu.requests.some((r) => r.method === 'DELETE' && r.path === `/v1beta/${geminiName}`)).toBe(true);

    expect(textOf(await call('list_uploads', { limit: 100 }))).not.toContain(local);
    const reused = await call('generate_image', { prompt: `gone ${m}`, reference_images: [local] });
    expect(reused.isError).toBe(true);
    expect(textOf(reused)).toMatch(new RegExp(`No upload with id "${local}".*list_uploads`));
    expect(generateRequests(emu, `gone ${m}`)).toHaveLength(0);
    const editGone = await call('edit_image', { image: remote, instruction: 'anything' });
    expect(textOf(editGone)).toMatch(/No upload with id/);
    const again = await call('delete_upload', { id: local });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/No upload with id/);
  });

  it('upload_file (bad base64, not an image, mime_type mismatch, no file)', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ data: 'this is not base64!' }, /`data` is not valid base64/],
      [{ data: Buffer.from('just some text, not a picture').toString('base64') }, /not an image this server can use/],
      [
        { data: Buffer.from('%PDF-1.7 ...').toString('base64'), mime_type: 'application/pdf' },
        /not an image.*although mime_type says application\/pdf/,
      ],
      [
        { data: (await png()).toString('base64'), mime_type: 'image/jpeg' },
        /mime_type says image\/jpeg, but the bytes are image\/png\./,
      ],
      [{ data: 'data:text/plain,hello' }, /data: URL without ";base64"/],
      [{}, /Give the file: `path`.*or `data`/],
    ];
    for (const [args, pattern] of cases) {
      const result = await call('upload_file', args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(textOf(result)).toMatch(pattern);
    }
  });

  it('upload_file (path)', async () => {
    const bytes = await png();
    const inside = path.join(studio.dataDir, `ref-${kind}.png`);
    await writeFile(inside, bytes);
    const result = await call('upload_file', { path: inside });
    if (kind === 'http') {
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/`path` is only available on a local \(stdio\) server.*base64 in `data`/);
      return;
    }
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toContain(`"ref-${kind}.png", image/png`);
    const outsideDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-outside-'));
    try {
      const outside = path.join(outsideDir, 'secret.png');
      await writeFile(outside, await png());
      const refused = await call('upload_file', { path: outside });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(/outside the folders this server may use/);
    } finally {
      await rm(outsideDir, { recursive: true, force: true });
    }
  });
});

describe.each<TransportKind>(['stdio', 'http'])('upload size cap over %s', (kind) => {
  const studio = useStudio(kind, { emulator: emu, env: { STUDIO_MAX_UPLOAD_MB: '0.001' } });
  it('upload_file refuses a file over STUDIO_MAX_UPLOAD_MB and says how to raise it', async () => {
    // Random pixels do not compress: a PNG of several kilobytes.
    const big = await sharp(randomBytes(64 * 64 * 3), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer();
    expect(big.length).toBeGreaterThan(1000);
    const result = await studio.call('upload_file', { data: big.toString('base64') });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/uploads may be at most 1\.0 KB.*STUDIO_MAX_UPLOAD_MB/);
  });
});

describe('upload service (in-process)', () => {
  let dir: string;
  let database: Database;
  const make = (options: { inlineLimitBytes?: number; now?: () => Date } = {}): UploadService =>
    createUploadService({
      uploads: createUploadRepository(database.db),
      blobs: createLocalBlobStore(path.join(dir, 'blobs')),
      files: createGeminiClient({ apiKey: 'test-key', baseUrl: emu.url, maxAttempts: 1 }),
      log: silentLogger,
      maxBytes: 1_000_000,
      newUploadId,
      ...options,
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-uploads-'));
    database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'studio.db') });
  });
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a caller sees only their own uploads', async () => {
    const uploads = make();
    const bytes = await png();
    const { upload } = await uploads.upload({ ownerId: 'alice', data: bytes });
    await expect(uploads.get(upload.id, 'bob')).rejects.toThrow(/No upload with id/);
    await expect(uploads.referenceFor(upload.id, 'bob')).rejects.toThrow(/No upload with id/);
    await expect(uploads.delete(upload.id, 'bob')).rejects.toThrow(/No upload with id/);
    expect(await uploads.list('bob', 10)).toEqual([]);
    expect((await uploads.list('alice', 10)).map((u) => u.id)).toEqual([upload.id]);
    // The same bytes from another owner are that owner's own upload.
    const bobs = await uploads.upload({ ownerId: 'bob', data: bytes });
    expect(bobs.existing).toBe(false);
    expect(bobs.upload.id).not.toBe(upload.id);
  });

  it('files over the inline limit go to the Files API without being asked', async () => {
    const uploads = make({ inlineLimitBytes: 10 });
    const m = marker('large');
    const { upload } = await uploads.upload({ ownerId: 'local', data: await png(), displayName: m });
    expect(upload.geminiName).toMatch(/^files\//);
    expect(uploadStarts(m)).toHaveLength(1);
    expect(await uploads.referenceFor(upload.id, 'local')).toEqual({
      kind: 'file',
      uri: upload.geminiUri,
      mimeType: 'image/png',
    });
    expect(uploadStarts(m)).toHaveLength(1);
  });

  it('a Gemini copy about to expire is replaced before use (by our clock, without asking Gemini)', async () => {
    let clock = Date.now();
    const uploads = make({ now: () => new Date(clock) });
    const m = marker('margin');
    const { upload } = await uploads.upload({ ownerId: 'local', data: await png(), displayName: m, toGemini: true });
    const expires = Date.parse(upload.geminiExpiresAt ?? '');
    clock = expires - 30 * 60_000; // inside the one-hour safety margin
    const before = emu.requests.length;
    const reference = await uploads.referenceFor(upload.id, 'local');
    expect(reference.kind).toBe('file');
    expect(reference.kind === 'file' && reference.uri).not.toBe(upload.geminiUri);
    expect(uploadStarts(m)).toHaveLength(2);
    expect(emu.requests.slice(before).some((r) => r.method === 'GET' && r.path.includes('/files/'))).toBe(false);
  });

  it('one refresh for the same upload used twice at once', async () => {
    const uploads = make();
    const m = marker('twice');
    const { upload } = await uploads.upload({ ownerId: 'local', data: await png(), displayName: m, toGemini: true });
    emu.clock.advance(49 * HOUR);
    const [a, b] = await Promise.all([
      uploads.referenceFor(upload.id, 'local'),
      uploads.referenceFor(upload.id, 'local'),
    ]);
    expect(a).toEqual(b);
    expect(uploadStarts(m)).toHaveLength(2);
  });
});
