/**
 * studio_library (issue 16: nothing the browser can do that the person could not do over MCP): brand
 * palettes, styles learned from references and personal templates, saved, learned, edited, listed and
 * deleted over MCP with the same core, ownership and team rules as /ui/studio. Over the real stdio server
 * with the emulator, then over HTTP with the real sign-in (test OpenID provider, the MCP SDK's OAuth client).
 */
import os from 'node:os';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marker, textRequests } from './helpers/emulator.js';
import type { TestUser } from './helpers/oidcProvider.js';
import { runCli } from './helpers/runCli.js';
import { startSignedInStudio, TestOAuthProvider } from './helpers/signInServer.js';
import { idsOf, textOf } from './helpers/studio.js';
import { useEmulator, useStudio } from './helpers/useStudio.js';

type Result = { content: unknown[]; isError?: boolean; structuredContent?: Record<string, unknown> };
/** The text model's calls (tests/helpers/emulator.ts tells them apart the same way). */
const TEXT_MODEL_PATH = /models\/gemini-[\d.]+-flash(-lite)?:/;

const png = (r: number, g: number, b: number) =>
  sharp({ create: { width: 48, height: 48, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

describe('studio_library over stdio', () => {
  const emu = useEmulator();
  const studio = useStudio('stdio', { emulator: emu });
  const call = studio.call;
  const lib = (args: Record<string, unknown>) => call('studio_library', args);
  const textCalls = () => emu.requests.filter((r) => TEXT_MODEL_PATH.test(r.path)).length;

  it('save a palette and a template, learn a style from uploads and an image, edit it, use them all', async () => {
    const palette = await lib({ kind: 'palette', action: 'save', name: 'Brand', colours: ['#E4572E', '#29335c'] });
    expect(palette.isError, textOf(palette)).toBeFalsy();
    expect(textOf(palette)).toMatch(/^Saved palette Brand \[yours, lib_\w+\]\. Use it with palette: "Brand"\./);
    expect(palette.structuredContent?.value).toEqual({ colours: ['#E4572E', '#29335C'] });

    expect((await studio.client.listPrompts()).prompts.map((p) => p.name)).not.toContain('my_hero');
    const template = await lib({
      kind: 'template',
      action: 'save',
      name: 'Hero',
      text: 'A hero banner of {{subject}} in {{mood=calm|bold}} light',
      description: 'Spring hero banner',
    });
    expect(textOf(template)).toContain('Saved template Hero');
    expect(textOf(template)).toContain('It is the prompt my_hero.');
    const hero = (await studio.client.listPrompts()).prompts.find((p) => p.name === 'my_hero');
    expect(hero?.description).toBe('Spring hero banner');
    expect(hero?.arguments?.map((a) => [a.name, a.required])).toEqual([
      ['subject', true],
      ['mood', false],
    ]);
    const filled = await studio.client.getPrompt({ name: 'my_hero', arguments: { subject: 'a kite' } });
    expect(JSON.stringify(filled.messages)).toContain('A hero banner of a kite in calm light');

    // Learning: two uploads and one stored image. Too few images are refused before any text call.
    const uploads: string[] = [];
    for (const [r, g, b] of [
      [228, 87, 46],
      [41, 51, 92],
    ] as const) {
      const up = await call('upload_file', { data: (await png(r, g, b)).toString('base64') });
      expect(up.isError, textOf(up)).toBeFalsy();
      uploads.push(String(textOf(up).match(/upl_\w+/)?.[0]));
    }
    const made = await call('generate_image', { prompt: 'a yellow buoy' });
    const imageId = idsOf(made)[0] as string;
    const before = textCalls();
    const tooFew = await lib({ kind: 'style', action: 'learn', name: 'House', images: uploads });
    expect(tooFew.isError).toBe(true);
    expect(textOf(tooFew)).toContain('A style is learned from 3 to 10 reference images; 2 were given.');
    expect(textCalls()).toBe(before);
    const learned = await lib({ kind: 'style', action: 'learn', name: 'House', images: [...uploads, imageId] });
    expect(learned.isError, textOf(learned)).toBeFalsy();
    expect(textOf(learned)).toContain('Learned from 3 images and saved style House');
    expect(textOf(learned)).toMatch(/Palette: .*\nMotifs: .*\nRegister: .*\nComposition: .*\nAvoid: /s);
    expect(textCalls()).toBe(before + 1);
    // The request carried all three images (two uploads inline and the stored one).
    const learnRequest = emu.requests.filter((r) => TEXT_MODEL_PATH.test(r.path)).at(-1);
    expect(JSON.stringify(learnRequest?.body).match(/"inlineData"/g)).toHaveLength(3);

    // The person corrects the guide; the palette and learnedFrom stay.
    const got = await lib({ kind: 'style', action: 'get', name: 'house' });
    const guide = (got.structuredContent as { value: { guide: string } }).value.guide;
    const rule = `Always show a small lighthouse ${marker('rule')}.`;
    const edited = await lib({ kind: 'style', action: 'save', name: 'House', guide: `${guide}\n${rule}` });
    expect(textOf(edited)).toContain('Updated style House');
    expect(edited.structuredContent?.value).toMatchObject({ learnedFrom: 3, guide: expect.stringContaining(rule) });

    // Used by name in generate_image: the style reaches the prompt engineer, the palette the colour stage.
    const styled = marker('styled');
    const used = await call('generate_image', { prompt: `a quay ${styled}`, palette: 'brand', style: 'House' });
    expect(used.isError, textOf(used)).toBeFalsy();
    const engineered = textRequests(emu, styled);
    expect(engineered).toHaveLength(1);
    expect(JSON.stringify(engineered[0]?.body.systemInstruction)).toContain(rule);

    const listed = await lib({ kind: 'template', action: 'list' });
    expect(textOf(listed)).toMatch(/^Hero \[yours, lib_\w+\] my_hero: \(subject, mood\?\)$/);
    const deleted = await lib({ kind: 'template', action: 'delete', name: 'Hero' });
    expect(textOf(deleted)).toMatch(/^Deleted template Hero/);
    expect((await studio.client.listPrompts()).prompts.map((p) => p.name)).not.toContain('my_hero');
    expect(textOf(await lib({ kind: 'template' }))).toContain('No templates saved yet.');
  }, 120_000);

  it('bad input is refused with what to do, and a team item needs an admin', async () => {
    const bad = await lib({ kind: 'palette', action: 'save', name: 'Bad', colours: ['#E4572E', 'blue'] });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('"blue" is not a hex colour');
    const noName = await lib({ kind: 'palette', action: 'get' });
    expect(textOf(noName)).toContain("Give the palette's name.");
    const team = await lib({ kind: 'palette', action: 'save', name: 'Team', colours: ['#000000'], team: true });
    expect(team.isError).toBe(true);
    expect(textOf(team)).toContain('Only an admin can save a team palette.');
    const learnTeam = await lib({ kind: 'style', action: 'learn', name: 'T', images: ['a', 'b', 'c'], team: true });
    expect(textOf(learnTeam)).toContain('Only an admin can save a team style.');
    const template = await lib({ kind: 'template', action: 'save', name: 'Broken', text: 'a {{1x}} b' });
    expect(textOf(template)).toContain('is not a parameter');
  }, 30_000);

  it('learning takes the rate limit like every billed request, and is refused before Gemini is called', async () => {
    const set = await runCli(['budget', 'set', '--rpm', '1'], {
      env: { HOME: process.env.HOME ?? os.homedir(), STUDIO_DATA_DIR: studio.dataDir },
    });
    expect(set.code, set.stderr).toBe(0);
    const images: string[] = [];
    for (let i = 0; i < 3; i++) {
      const up = await call('upload_file', { data: (await png(10 * i, 200, 90)).toString('base64') });
      images.push(String(textOf(up).match(/upl_\w+/)?.[0]));
    }
    // One image request takes this minute's only slot; the style learning then shares the same limit.
    const made = await call('generate_image', { prompt: 'a red kite' });
    expect(made.isError, textOf(made)).toBeFalsy();
    const before = textCalls();
    const refused = await lib({ kind: 'style', action: 'learn', name: 'Limited', images });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/Rate limit: user "local" may start 1 image request per minute/);
    expect(textCalls()).toBe(before);
    expect(textOf(await lib({ kind: 'style' }))).not.toContain('Limited');
  }, 30_000);
});

describe('studio_library over HTTP with sign-in', () => {
  let user: TestUser = 'alice';
  let signedIn: Awaited<ReturnType<typeof startSignedInStudio>>;
  const clients: Client[] = [];
  beforeAll(async () => {
    signedIn = await startSignedInStudio({
      currentUser: () => user,
      allowedEmails: 'alice@example.com, bob@example.com, carol@example.com',
      env: { STUDIO_ADMIN_EMAILS: 'bob@example.com' },
    });
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) await client.close();
    await signedIn?.stop();
  });

  const connect = async (who: TestUser) => {
    user = who;
    const provider = new TestOAuthProvider();
    const url = new URL(`${signedIn.origin}/mcp`);
    const transport = () => new StreamableHTTPClientTransport(url, { authProvider: provider });
    let client = new Client({ name: 'library test', version: '1.0.0' });
    try {
      await client.connect(transport());
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      await transport().finishAuth(provider.callback as URLSearchParams);
      client = new Client({ name: 'library test', version: '1.0.0' });
      await client.connect(transport());
    }
    clients.push(client);
    return (args: Record<string, unknown>, name = 'studio_library') =>
      client.callTool({ name, arguments: args }) as Promise<Result>;
  };

  it("a person's library is theirs; team items are the admins' to change", async () => {
    const alice = await connect('alice');
    const aliceClient = clients.at(-1) as Client;
    const saved = await alice({ kind: 'palette', action: 'save', name: 'Brand', colours: ['#E4572E'] });
    expect(saved.isError, textOf(saved)).toBeFalsy();
    const paletteId = saved.structuredContent?.id as string;
    const tpl = await alice({ kind: 'template', action: 'save', name: 'Hero', text: 'A banner of {{subject}}' });
    expect(tpl.isError, textOf(tpl)).toBeFalsy();
    const templateId = tpl.structuredContent?.id as string;
    expect((await aliceClient.listPrompts()).prompts.map((p) => p.name)).toContain('my_hero');
    const used = await alice({ prompt: 'a lamp', palette: 'Brand' }, 'generate_image');
    expect(used.isError, textOf(used)).toBeFalsy();

    const carol = await connect('carol');
    const carolClient = clients.at(-1) as Client;
    expect(textOf(await carol({ kind: 'palette' }))).toContain('No palettes saved yet.');
    expect((await carolClient.listPrompts()).prompts.map((p) => p.name)).not.toContain('my_hero');
    for (const name of [paletteId, 'Brand']) {
      const got = await carol({ kind: 'palette', action: 'get', name });
      expect(got.isError).toBe(true);
      expect(textOf(got)).not.toContain('#E4572E');
      const del = await carol({ kind: 'palette', action: 'delete', name });
      expect(del.isError).toBe(true);
    }
    expect((await carol({ kind: 'template', action: 'delete', name: templateId })).isError).toBe(true);
    expect((await carol({ prompt: 'a lamp', palette: 'Brand' }, 'generate_image')).isError).toBe(true);
    // Still Alice's.
    expect(textOf(await alice({ kind: 'palette' }))).toMatch(/^Brand \[yours, lib_\w+\]: #E4572E$/);
    expect(textOf(await alice({ kind: 'template' }))).toContain('Hero [yours');

    // Team items: Carol may not save one; Bob (admin) may, and Carol then sees and uses it but cannot delete it.
    const refused = await carol({ kind: 'palette', action: 'save', name: 'Team', colours: ['#29335C'], team: true });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('Only an admin can save a team palette.');
    const bob = await connect('bob');
    const team = await bob({ kind: 'palette', action: 'save', name: 'Team', colours: ['#29335C'], team: true });
    expect(team.isError, textOf(team)).toBeFalsy();
    expect(textOf(await carol({ kind: 'palette' }))).toMatch(/^Team \[team, lib_\w+\]: #29335C$/);
    expect((await carol({ prompt: 'a lamp', palette: 'Team' }, 'generate_image')).isError).toBeFalsy();
    expect((await carol({ kind: 'palette', action: 'delete', name: 'Team' })).isError).toBe(true);
    const overwrite = await carol({ kind: 'palette', action: 'save', name: 'Team', colours: ['#000000'], team: true });
    expect(overwrite.isError).toBe(true);
    expect(textOf(await carol({ kind: 'palette', action: 'get', name: 'Team' }))).toContain('#29335C');
    // Bob, an admin, sees the team's but not Alice's own.
    expect(textOf(await bob({ kind: 'palette' }))).not.toContain('Brand');
    expect((await bob({ kind: 'palette', action: 'delete', name: 'Team' })).isError).toBeFalsy();
    expect(textOf(await carol({ kind: 'palette' }))).toContain('No palettes saved yet.');
  }, 120_000);
});
