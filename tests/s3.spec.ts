/**
 * S3-compatible storage: the real server (stdio and HTTP) against an S3 emulator (s3rver) on loopback,
 * images and uploads in the bucket, presigned and proxied (signed, expiring) links; the S3 blob store and
 * the reconciliation against the same emulator; `parseBlobUrl` errors.
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/config.js';
import { signImageLink } from '../src/core/imageLinks.js';
import type { ImageRecord, ImageRepository } from '../src/core/ports.js';
import { createS3BlobStore, parseBlobUrl, reconcileStorage } from '../src/store/index.js';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { runCli } from './helpers/runCli.js';
import { startS3rver } from './helpers/s3rver.js';
import { idsOf, type StudioProcess, startStudio, type TransportKind, textOf } from './helpers/studio.js';

const BUCKET = 'studio-test';
const SECRET = 'a-test-link-secret-of-some-length';
const CREDS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let emu: Emulator;
let s3rver: ChildProcess | undefined;
let s3Dir: string;
let endpoint: string;
let s3: S3Client;

beforeAll(async () => {
  emu = await startEmulator();
  s3Dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-s3-'));
  const started = await startS3rver(s3Dir, BUCKET);
  s3rver = started.child;
  const { port } = started;
  endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDS });
});
afterAll(async () => {
  s3?.destroy();
  if (s3rver && s3rver.exitCode === null) {
    const exited = new Promise((resolve) => s3rver?.once('exit', resolve));
    s3rver.kill('SIGTERM');
    await exited;
  }
  await emu?.close();
  if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
});

function s3Env(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    STUDIO_BLOB_URL: `s3://${BUCKET}/${prefix}`,
    STUDIO_S3_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    ...extra,
  };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key ?? '');
}

async function objectBytes(key: string): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
}

type ToolResult = { content: unknown[]; isError?: boolean };
const callOn = (studio: StudioProcess) => (name: string, args: Record<string, unknown>) =>
  studio.client.callTool({ name, arguments: args }) as Promise<ToolResult>;
const urlOf = (result: ToolResult) => /- url: (\S+)/.exec(textOf(result))?.[1] ?? '';

/** The data folder holds the database only: no image or upload files. */
/** The image files under a data folder (gallery thumbnails, stored beside them since issue 14, aside). */
async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }))
    .map(String)
    .filter((f) => /\.(jpg|png|webp)$/.test(f) && !f.startsWith('thumbs'));
}

describe.each<TransportKind>(['stdio', 'http'])('S3 storage with presigned links over %s', (kind) => {
  const prefix = `presigned-${kind}/`;
  let studio: StudioProcess;
  let call: ReturnType<typeof callOn>;
  beforeAll(async () => {
    studio = await startStudio(kind, { geminiUrl: emu.url, env: s3Env(prefix) });
    call = callOn(studio);
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
  });

  it('generate_image stores the image in the bucket and links it with a presigned URL', async () => {
    const m = marker('s3gen');
    const result = await call('generate_image', { prompt: `a red kite ${m}` });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [id] = idsOf(result);
    const key = (await keysUnder(`${prefix}images/`)).find((k) => k.includes(`${id}.`)) ?? '';
    expect(key).toMatch(new RegExp(`^${prefix}images/\\d{4}/\\d{2}/${id}\\.jpg$`));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe('image/jpeg');
    expect(head.CacheControl).toContain('immutable');

    const text = textOf(result);
    expect(text).not.toContain('- file:'); // no local path for S3 objects
    const url = urlOf(result);
    expect(url.startsWith(`${endpoint}/${BUCKET}/${key}?`)).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('604800');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(await objectBytes(key))).toBe(true);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(await filesIn(studio.dataDir)).toEqual([]);

    // The resource reads the bytes back from S3.
    const resource = await studio.client.readResource({ uri: `images://${id}` });
    const blob = (resource.contents[0] as { blob: string }).blob;
    expect(Buffer.from(blob, 'base64').equals(bytes)).toBe(true);
  });

  it('edit_image continues from an S3-stored image (history images read from the bucket)', async () => {
    const m = marker('s3edit');
    const parentId = idsOf(await call('generate_image', { prompt: `a quiet harbour ${m}` }))[0];
    const edited = await call('edit_image', { image: parentId, instruction: `now at dusk ${m}` });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    expect(textOf(edited)).toContain(`edited from: ${parentId}`);
    const contents = generateRequests(emu, `now at dusk ${m}`)[0]?.body.contents ?? [];
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    const childId = idsOf(edited)[0];
    expect((await keysUnder(`${prefix}images/`)).some((k) => k.includes(`${childId}.`))).toBe(true);
  });

  it('upload_file stores the upload in the bucket', async () => {
    const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 9, g: 99, b: 199 } } })
      .png()
      .toBuffer();
    const uploaded = await call('upload_file', { data: bytes.toString('base64'), display_name: 'logo' });
    expect(uploaded.isError, textOf(uploaded)).toBeFalsy();
    const uploadId = /(upl_[a-z0-9]+)/.exec(textOf(uploaded))?.[1] ?? '';
    const key = (await keysUnder(`${prefix}uploads/`)).find((k) => k.includes(uploadId)) ?? '';
    expect(key).toMatch(new RegExp(`^${prefix}uploads/\\d{4}/\\d{2}/${uploadId}\\.png$`));
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentType).toBe('image/png');
    expect((await objectBytes(key)).equals(bytes)).toBe(true);

    const m = marker('s3upl');
    const generated = await call('generate_image', { prompt: `a poster ${m}`, reference_images: [uploadId] });
    expect(generated.isError, textOf(generated)).toBeFalsy();
    const part = generateRequests(emu, `a poster ${m}`)[0]?.body.contents?.at(-1)?.parts?.[0] as
      | { inlineData?: { data: string } }
      | undefined;
    expect(part?.inlineData?.data).toBe(bytes.toString('base64'));
  });

  it('list_images after a restart (rows in the data folder, images in the bucket)', async () => {
    const m = marker('s3restart');
    const id = idsOf(await call('generate_image', { prompt: `a fox ${m}` }))[0];
    await studio.close();
    studio = await startStudio(kind, { geminiUrl: emu.url, dataDir: studio.dataDir, env: s3Env(prefix) });
    call = callOn(studio);
    const listed = await call('list_images', { search: m });
    expect(idsOf(listed)).toEqual([id]);
    const response = await fetch(urlOf(listed));
    expect(response.status).toBe(200);
    const edited = await call('edit_image', { image: id, instruction: `add a moon ${m}` });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    expect(generateRequests(emu, `add a moon ${m}`).at(-1)?.body.contents).toHaveLength(3);
  });
});

describe('the command line with S3 storage', () => {
  it('generate stores in the bucket; open --print gives a local copy with the same bytes', async () => {
    const prefix = 'cli/';
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-s3-cli-'));
    try {
      const env = {
        ...s3Env(prefix),
        STUDIO_DATA_DIR: dataDir,
        GEMINI_BASE_URL: emu.url,
        GEMINI_API_KEY: 'k',
        STUDIO_AUTO_STYLE: 'false',
      };
      const made = await runCli(['generate', 'a kite over the bay', '--json'], { env });
      expect(made.code, made.stderr).toBe(0);
      const id = (JSON.parse(made.stdout) as { images: Array<{ id: string }> }).images[0]?.id ?? '';
      const key = (await keysUnder(`${prefix}images/`)).find((k) => k.includes(`${id}.`)) ?? '';
      expect(key).not.toBe('');
      // Someone else on the machine planted a file where a shared temporary copy would go: it is not used.
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'nbs-s3-tmp-'));
      await mkdir(path.join(tmp, 'nanobanana-studio'));
      await writeFile(path.join(tmp, 'nanobanana-studio', path.basename(key)), 'planted by someone else');
      const opened = await runCli(['open', id, '--print'], { env: { ...env, TMPDIR: tmp } });
      expect(opened.code, opened.stderr).toBe(0);
      const file = opened.stdout.trim();
      expect(path.isAbsolute(file)).toBe(true);
      expect((await readFile(file)).equals(await objectBytes(key))).toBe(true);
      expect((await stat(path.dirname(file))).mode & 0o077).toBe(0);
      // A copy folder others may write to is refused, saying so.
      await rm(path.dirname(file), { recursive: true });
      await mkdir(path.dirname(file), { mode: 0o777 });
      await chmod(path.dirname(file), 0o777);
      const refused = await runCli(['open', id, '--print'], { env: { ...env, TMPDIR: tmp } });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('is not a private folder of yours');
      await rm(tmp, { recursive: true, force: true });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('S3 storage with proxied, signed links over http', () => {
  const prefix = 'proxied/';
  let studio: StudioProcess;
  let call: ReturnType<typeof callOn>;
  beforeAll(async () => {
    studio = await startStudio('http', {
      geminiUrl: emu.url,
      env: s3Env(prefix, { STUDIO_IMAGE_LINKS: 'proxied', STUDIO_LINK_SECRET: SECRET }),
    });
    call = callOn(studio);
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
  });

  it('serves the bytes from S3 through /i/ with a signed link; refuses tampered, unsigned and expired links', async () => {
    const result = await call('generate_image', { prompt: `a green door ${marker('s3proxy')}` });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [id = ''] = idsOf(result);
    const url = urlOf(result);
    expect(url).toMatch(new RegExp(`^${studio.url}/i/${id}\\.jpg\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const exp = Number(new URL(url).searchParams.get('exp'));
    expect(exp - Date.now() / 1000).toBeGreaterThan(604800 - 120);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('cache-control')).toContain('immutable');
    const bytes = Buffer.from(await response.arrayBuffer());
    const key = (await keysUnder(`${prefix}images/`)).find((k) => k.includes(`${id}.`)) ?? '';
    expect(bytes.equals(await objectBytes(key))).toBe(true);

    const sig = new URL(url).searchParams.get('sig') ?? '';
    const tampered = url.replace(`sig=${sig}`, `sig=${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`);
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: 'link_invalid',
      message: expect.stringContaining('signature'),
    });

    const unsigned = await fetch(`${studio.url}/i/${id}.jpg`);
    expect(unsigned.status).toBe(403);
    expect((await unsigned.json()).error).toBe('link_missing');

    // A later expiry with the old signature is refused; a correctly signed past expiry is expired.
    expect((await fetch(url.replace(`exp=${exp}`, `exp=${exp + 1}`))).status).toBe(403);
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = await fetch(`${studio.url}/i/${id}.jpg?exp=${past}&sig=${signImageLink(id, past, SECRET)}`);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: 'link_expired', message: expect.stringContaining('expired') });
  });

  it('a link with a tiny lifetime expires (a second instance sharing the store and the secret)', async () => {
    const second = await startStudio('http', {
      geminiUrl: emu.url,
      dataDir: studio.dataDir,
      env: s3Env(prefix, { STUDIO_IMAGE_LINKS: 'proxied', STUDIO_LINK_SECRET: SECRET, STUDIO_LINK_TTL_SECONDS: '1' }),
    });
    try {
      const result = await callOn(second)('generate_image', { prompt: `a blue gate ${marker('s3ttl')}` });
      expect(result.isError, textOf(result)).toBeFalsy();
      const url = urlOf(result);
      const exp = Number(new URL(url).searchParams.get('exp'));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 100));
      const response = await fetch(url);
      expect(response.status).toBe(403);
      expect((await response.json()).error).toBe('link_expired');
      // The first instance, with the same secret, serves the second one's image with its own link.
      const info = await call('image_info', { id: idsOf(result)[0] });
      expect((await fetch(urlOf(info))).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('the local data folder', () => {
  it('signs /i/ links too when a link secret is set', async () => {
    const studio = await startStudio('http', { geminiUrl: emu.url, env: { STUDIO_LINK_SECRET: SECRET } });
    try {
      const result = await callOn(studio)('generate_image', { prompt: `a lamp ${marker('localsig')}` });
      const [id] = idsOf(result);
      const url = urlOf(result);
      expect(url).toMatch(new RegExp(`^${studio.url}/i/${id}\\.jpg\\?exp=\\d+&sig=`));
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(`${studio.url}/i/${id}.jpg`)).status).toBe(403);
      expect(await filesIn(studio.dataDir)).toHaveLength(1);
    } finally {
      await studio.close({ removeData: true });
    }
  });
});

describe('S3 configuration', () => {
  it('refuses S3 with proxied links but no link secret, naming the setting', async () => {
    await expect(
      startStudio('http', { geminiUrl: emu.url, env: s3Env('x/', { STUDIO_IMAGE_LINKS: 'proxied' }) }),
    ).rejects.toThrow(/STUDIO_LINK_SECRET/);
  });

  it('resolves the storage and link settings', () => {
    const resolve = (env: Record<string, string>) => resolveConfig({ env: { STUDIO_DATA_DIR: '/tmp/nbs', ...env } });
    const local = resolve({});
    expect(local).toMatchObject({ imageLinks: 'proxied', linkTtlSeconds: 604800 });
    expect(local.blobUrl).toBeUndefined();
    expect(local.linkSecret).toBeUndefined();
    expect(resolve({ STUDIO_BLOB_URL: 's3://b/p' })).toMatchObject({ blobUrl: 's3://b/p', imageLinks: 'presigned' });
    expect(resolve({ STUDIO_BLOB_URL: 's3://b', AWS_ENDPOINT_URL: 'http://a:1' }).s3Endpoint).toBe('http://a:1');
    expect(
      resolve({ STUDIO_BLOB_URL: 's3://b', AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' })
        .s3Endpoint,
    ).toBe('http://s3:2');
    expect(
      resolve({ STUDIO_BLOB_URL: 's3://b', AWS_ENDPOINT_URL_S3: 'http://s3:2', STUDIO_S3_ENDPOINT: 'http://st:3' }),
    ).toMatchObject({ s3Endpoint: 'http://st:3' });
    expect(resolve({ STUDIO_S3_FORCE_PATH_STYLE: 'false' }).s3ForcePathStyle).toBe(false);
    expect(
      resolve({ STUDIO_BLOB_URL: 's3://b', STUDIO_IMAGE_LINKS: 'proxied', STUDIO_LINK_SECRET: SECRET }),
    ).toMatchObject({ imageLinks: 'proxied', linkSecret: SECRET });
    expect(() => resolve({ STUDIO_IMAGE_LINKS: 'presigned' })).toThrow(/"imageLinks".*STUDIO_BLOB_URL/);
    expect(() => resolve({ STUDIO_IMAGE_LINKS: 'signed' })).toThrow(/"imageLinks".*presigned or proxied/);
    expect(() => resolve({ STUDIO_BLOB_URL: 'gs://b' })).toThrow(/"blobUrl".*s3:\/\//);
    expect(() => resolve({ STUDIO_LINK_TTL_SECONDS: '604801' })).toThrow(/"linkTtlSeconds"/);
    expect(() => resolve({ STUDIO_LINK_SECRET: 'short' })).toThrow(/"linkSecret".*16 characters/);
  });

  it('parseBlobUrl', () => {
    expect(parseBlobUrl(undefined)).toBeUndefined();
    expect(parseBlobUrl('  ')).toBeUndefined();
    expect(parseBlobUrl('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseBlobUrl('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseBlobUrl('s3://my-bucket/studio/images')).toEqual({ bucket: 'my-bucket', prefix: 'studio/images/' });
    expect(parseBlobUrl('S3://my.bucket/p/')).toEqual({ bucket: 'my.bucket', prefix: 'p/' });
    const cases: Array<[string, RegExp]> = [
      ['gs://bucket/p', /scheme gs:\/\/ is not supported/],
      ['bucket/prefix', /not a URL/],
      ['s3:///prefix', /bucket name is missing/],
      ['s3://My_Bucket', /bucket name "My_Bucket" is not valid/],
      ['s3://ab', /is not valid/],
      ['s3://bucket/a/../b', /prefix is not valid.*\.\./],
      ['s3://bucket/a//b', /prefix is not valid/],
      ['s3://bucket/p?x=1', /query or fragment/],
    ];
    for (const [value, problem] of cases) {
      expect(() => parseBlobUrl(value)).toThrow(problem);
      expect(() => parseBlobUrl(value)).toThrow(/STUDIO_BLOB_URL/);
    }
  });
});

describe('S3 blob store (in-process, against the emulator)', () => {
  const store = () =>
    createS3BlobStore({
      bucket: BUCKET,
      prefix: 'unit/',
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDS,
    });

  it('put, get, exists, delete, list and presignedUrl', async () => {
    const blobs = store();
    try {
      await blobs.put('images/2026/01/a.png', Buffer.from('png bytes'));
      await blobs.put('images/2026/02/b.webp', Buffer.from('webp bytes'));
      await blobs.put('other/c.jpg', Buffer.from('jpg'));
      expect(
        (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'unit/images/2026/02/b.webp' }))).ContentType,
      ).toBe('image/webp');
      expect((await blobs.get('images/2026/01/a.png')).toString()).toBe('png bytes');
      expect(await blobs.exists('images/2026/01/a.png')).toBe(true);
      expect(await blobs.exists('images/2026/01/none.png')).toBe(false);
      await expect(blobs.get('images/2026/01/none.png')).rejects.toMatchObject({ code: 'not_found' });
      expect(blobs.localPath('images/2026/01/a.png')).toBeUndefined();
      const listed = [];
      for await (const item of blobs.list('images/')) listed.push(item);
      expect(listed.map((i) => i.key).sort()).toEqual(['images/2026/01/a.png', 'images/2026/02/b.webp']);
      expect(listed.every((i) => i.modifiedAt instanceof Date && i.modifiedAt.getTime() > 0)).toBe(true);
      const url = await blobs.presignedUrl('images/2026/01/a.png', 60);
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
      expect(await (await fetch(url)).text()).toBe('png bytes');
      // s3rver does not check SigV4 signatures, so the link's form is checked here.
      const query = new URL(url).searchParams;
      expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(query.get('X-Amz-Credential')).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
      expect(query.get('X-Amz-SignedHeaders')).toBe('host');
      expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      await blobs.delete('images/2026/01/a.png');
      await blobs.delete('images/2026/01/a.png'); // already gone: no error
      expect(await blobs.exists('images/2026/01/a.png')).toBe(false);
      await expect(blobs.put('../escape.png', Buffer.from('x'))).rejects.toThrow(/Invalid blob key/);
      await expect(blobs.get('/abs.png')).rejects.toThrow(/Invalid blob key/);
    } finally {
      await blobs.close();
    }
  });

  it('list pages through more than one ListObjectsV2 page', async () => {
    const blobs = createS3BlobStore({
      bucket: BUCKET,
      prefix: 'paging/',
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDS,
      listPageSize: 2,
    });
    try {
      const keys = Array.from({ length: 7 }, (_, i) => `images/p/${i}.png`);
      for (const key of keys) await blobs.put(key, Buffer.from(key));
      const listed: string[] = [];
      for await (const item of blobs.list('images/')) listed.push(item.key);
      expect(listed.sort()).toEqual(keys);
    } finally {
      await blobs.close();
    }
  });

  it('reconcileStorage removes old orphans and rows without an object (no temp files in S3)', async () => {
    const blobs = store();
    const now = new Date(Date.now() + 10 * 60_000);
    const row = (id: string, blobKey: string) => ({ id, blobKey }) as ImageRecord;
    const rows = new Map([
      ['img_kept', row('img_kept', 'images/r/kept.png')],
      ['img_lost', row('img_lost', 'images/r/lost.png')],
    ]);
    const repo = {
      allBlobKeys: async () => new Set([...rows.values()].map((r) => r.blobKey)),
      list: async () => ({ images: [...rows.values()], nextCursor: null }),
      delete: async (id: string) => rows.delete(id),
    } as unknown as ImageRepository;
    try {
      await blobs.put('images/r/kept.png', Buffer.from('kept'));
      await blobs.put('images/r/orphan.png', Buffer.from('orphan'));
      const report = await reconcileStorage({ repo, blobs, prefix: 'images/r/', now });
      expect(report).toEqual({ removedTempFiles: 0, removedOrphanBlobs: 1, removedRowsWithoutBlob: 1 });
      expect(await blobs.exists('images/r/orphan.png')).toBe(false);
      expect(await blobs.exists('images/r/kept.png')).toBe(true);
      expect([...rows.keys()]).toEqual(['img_kept']);
      // Young orphans are left alone (the grace period).
      await blobs.put('images/r/young.png', Buffer.from('young'));
      const again = await reconcileStorage({ repo, blobs, prefix: 'images/r/' });
      expect(again.removedOrphanBlobs).toBe(0);
      expect(await blobs.exists('images/r/young.png')).toBe(true);
    } finally {
      await blobs.close();
    }
  });
});
