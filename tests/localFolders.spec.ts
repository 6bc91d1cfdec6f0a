/**
 * The allowed folders of a local (stdio) server with default settings, as a person meets them: "edit my
 * photo in ~/Pictures" and "save it into my project" work at once, while ~/.ssh, credential files and
 * system folders are refused. The real CLI over stdio with a fake home folder in a temp dir, the data
 * folder elsewhere, Gemini emulated.
 */
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { CLI, makeDataDir, type StudioProcess, startStudio, textOf } from './helpers/studio.js';

type Result = { isError?: boolean; content: Array<{ type: string; text?: string }> };

let emu: Emulator;
let home: string;
const jpeg = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#c84' } })
    .jpeg()
    .toBuffer();
const png = () =>
  sharp({ create: { width: 32, height: 32, channels: 3, background: '#48c' } })
    .png()
    .toBuffer();

beforeAll(async () => {
  emu = await startEmulator();
  home = await mkdtemp(path.join(os.tmpdir(), 'nbs-home-'));
  await mkdir(path.join(home, 'Pictures'));
  await writeFile(path.join(home, 'Pictures', 'photo.jpg'), await jpeg());
  await mkdir(path.join(home, '.ssh'), { mode: 0o700 });
  await writeFile(path.join(home, '.ssh', 'id_rsa'), await png());
  await mkdir(path.join(home, '.aws'));
  await writeFile(path.join(home, '.aws', 'credentials'), '[default]\naws_secret_access_key=x\n');
  await mkdir(path.join(home, 'keys'));
  await writeFile(path.join(home, 'keys', 'server.pem'), await png());
  await symlink(path.join(home, '.ssh', 'id_rsa'), path.join(home, 'Pictures', 'innocent.png'));
});
afterAll(async () => {
  await emu?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('default allowed folders over stdio (home folder, sensitive places refused)', () => {
  let studio: StudioProcess;
  const call = (name: string, args: Record<string, unknown>) =>
    studio.client.callTool({ name, arguments: args }) as Promise<Result>;

  beforeAll(async () => {
    // The data folder is outside the fake home: what works below works because of the home default.
    studio = await startStudio('stdio', { geminiUrl: emu.url, env: { HOME: home } });
  });
  afterAll(async () => {
    await studio?.close({ removeData: true });
  });

  it('edit_image on ~/Pictures/photo.jpg with output_path ~/project/out.png works', async () => {
    const result = await call('edit_image', {
      image: '~/Pictures/photo.jpg',
      instruction: 'make it night',
      output_path: '~/project/out.png',
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = path.join(home, 'project', 'out.png');
    expect(textOf(result)).toContain(`saved to: ${out}`);
    expect((await readFile(out)).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });

  it('reference_images and upload_file read a file named by its absolute path under home', async () => {
    const ref = await call('generate_image', {
      prompt: 'in this style',
      reference_images: [path.join(home, 'Pictures', 'photo.jpg')],
    });
    expect(ref.isError, textOf(ref)).toBeFalsy();
    const upload = await call('upload_file', { path: '~/Pictures/photo.jpg' });
    expect(upload.isError, textOf(upload)).toBeFalsy();
  });

  it.each([
    ['edit_image', { image: '~/.ssh/id_rsa', instruction: 'x' }, /"\.ssh" is a hidden file or folder/],
    ['generate_image', { prompt: 'x', reference_images: [`${'~'}/.ssh/id_rsa`] }, /hidden file or folder/],
    ['upload_file', { path: '~/.aws/credentials' }, /"\.aws" is a hidden file or folder/],
    ['upload_file', { path: '~/keys/server.pem' }, /looks like a key or credential file/],
    ['upload_file', { path: '~/Pictures/innocent.png' }, /hidden file or folder/],
    ['generate_image', { prompt: 'x', output_path: '~/.config/autostart/x.png' }, /"\.config" is a hidden/],
    ['upload_file', { path: '/etc/hostname' }, /outside the folders/],
    ['upload_file', { path: '/proc/self/environ' }, /outside the folders/],
    ['generate_image', { prompt: 'x', output_path: path.join(os.tmpdir(), 'nbs-nowhere.png') }, /outside the/],
  ])('%s %j is refused', async (name, args, message) => {
    const result = await call(name, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(textOf(result)).not.toContain('aws_secret_access_key');
  });

  it('says the rule in the tool descriptions', async () => {
    const { tools } = await studio.client.listTools();
    const schema = (name: string) => JSON.stringify(tools.find((t) => t.name === name)?.inputSchema);
    // Said once in full (upload_file, output_path) and pointed to elsewhere: the tool list has a budget (issue 14).
    expect(schema('upload_file')).toMatch(/under home or the working directory, not hidden folders \(~\/\.ssh/);
    expect(schema('generate_image')).toMatch(/output_path.*under home, not hidden folders or key files/);
    expect(schema('edit_image')).toMatch(/file path \(upload_file's path rule\)/);
  });
});

describe('the working directory and STUDIO_ALLOWED_ROOTS', () => {
  it('the working directory (outside home) is readable but not writable', async () => {
    const cwd = await makeDataDir();
    const dataDir = await makeDataDir();
    await writeFile(path.join(cwd, 'sketch.png'), await png());
    const client = new Client({ name: 'nbs-tests', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI],
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          STUDIO_DATA_DIR: dataDir,
          GEMINI_BASE_URL: emu.url,
          GEMINI_API_KEY: 'test-key',
          STUDIO_AUTO_STYLE: 'false',
        },
        stderr: 'ignore',
      }),
    );
    try {
      const read = (await client.callTool({ name: 'upload_file', arguments: { path: 'sketch.png' } })) as Result;
      // Without client roots a relative path has no base: the absolute one in the working directory works.
      expect(read.isError).toBe(true);
      const absolute = (await client.callTool({
        name: 'upload_file',
        arguments: { path: path.join(cwd, 'sketch.png') },
      })) as Result;
      expect(absolute.isError, textOf(absolute)).toBeFalsy();
      const write = (await client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'x', output_path: path.join(cwd, 'out.png') },
      })) as Result;
      expect(write.isError).toBe(true);
      expect(textOf(write)).toMatch(/outside the folders this server may use for writing/);
      await expect(stat(path.join(cwd, 'out.png'))).rejects.toThrow();
    } finally {
      await client.close();
      await rm(cwd, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('STUDIO_ALLOWED_ROOTS replaces the home default (narrows), and may name a hidden folder on purpose', async () => {
    const studio = await startStudio('stdio', {
      geminiUrl: emu.url,
      env: { HOME: home, STUDIO_ALLOWED_ROOTS: path.join(home, '.ssh') },
    });
    try {
      const photo = (await studio.client.callTool({
        name: 'upload_file',
        arguments: { path: '~/Pictures/photo.jpg' },
      })) as Result;
      expect(photo.isError).toBe(true);
      expect(textOf(photo)).toMatch(/outside the folders this server may use/);
      const named = (await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'x', output_path: path.join(home, '.ssh', 'chosen.png') },
      })) as Result;
      expect(named.isError, textOf(named)).toBeFalsy();
    } finally {
      await studio.close({ removeData: true });
    }
  });
});
