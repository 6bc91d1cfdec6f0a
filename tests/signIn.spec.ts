/**
 * Sign-in for MCP clients over HTTP: the real server as OAuth 2.1 authorization server, a real OpenID
 * provider (oidc-provider) standing in for Google, and the MCP SDK client's own OAuth support, headless (a
 * small browser follows the redirects). Also the start-up rules: when sign-in is on, and what it needs.
 */
import path from 'node:path';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { callThroughMcpRemote } from './helpers/mcpRemote.js';
import { startTestIdp, type TestIdp, type TestUser } from './helpers/oidcProvider.js';
import { runCli } from './helpers/runCli.js';
import { freePort, listToolsWith, signInEnv, startServer, TestOAuthProvider } from './helpers/signInServer.js';
import { makeDataDir } from './helpers/studio.js';

describe('sign-in with OAuth 2.1 (an OpenID provider standing in for Google)', () => {
  let emu: Emulator;
  let idp: TestIdp;
  let studio: Awaited<ReturnType<typeof startServer>>;
  let serverEnv: Record<string, string>;
  let port: number;
  let origin: string;
  let user: TestUser = 'alice';

  beforeAll(async () => {
    emu = await startEmulator();
    port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({
      redirectUris: [`${origin}/api/auth/callback/oidc`],
      currentUser: () => user,
    });
    serverEnv = {
      GEMINI_BASE_URL: emu.url,
      ...signInEnv(idp),
      STUDIO_ALLOWED_EMAILS: 'Alice@Example.com, bob@example.com, carol@example.com, eve@example.com',
      STUDIO_ADMIN_EMAILS: 'bob@example.com',
    };
    studio = await startServer(port, serverEnv);
  }, 60_000);
  afterAll(async () => {
    await studio?.stop();
    await idp?.close();
    await emu?.close();
  });

  const connect = async (provider: TestOAuthProvider): Promise<Client> => {
    const client = new Client({ name: 'sign-in test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider });
    try {
      await client.connect(transport);
      return client;
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      await transport.finishAuth(provider.callback as never);
      const again = new Client({ name: 'sign-in test', version: '1.0.0' });
      await again.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider }));
      return again;
    }
  };

  it('challenges a request without a token and publishes the metadata clients discover', async () => {
    const res = await fetch(`${origin}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(
      `resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
    );
    const prm = (await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      resource: string;
      authorization_servers: string[];
    };
    expect(prm.resource).toBe(`${origin}/mcp`);
    const as = (await (await fetch(`${origin}/.well-known/oauth-authorization-server/api/auth`)).json()) as {
      code_challenge_methods_supported: string[];
      registration_endpoint: string;
    };
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.registration_endpoint).toContain('/api/auth/oauth2/register');
  });

  it('signs a listed person in through the provider; their images are theirs', async () => {
    user = 'alice';
    const provider = new TestOAuthProvider();
    const client = await connect(provider);
    try {
      const made = (await client.callTool({ name: 'generate_image', arguments: { prompt: 'a signed-in owl' } })) as {
        isError?: boolean;
        content: unknown[];
      };
      expect(made.isError, JSON.stringify(made.content)).toBeFalsy();
      expect(provider.saved?.refresh_token).toBeTruthy();
      const claims = JSON.parse(
        Buffer.from(String(provider.saved?.access_token).split('.')[1] as string, 'base64url').toString(),
      ) as { email: string; aud: string[] };
      expect(claims.email).toBe('alice@example.com');
      expect(claims.aud).toContain(`${origin}/mcp`);
    } finally {
      await client.close();
    }
    const listBy = async (who: TestUser) => {
      user = who;
      const other = await connect(new TestOAuthProvider());
      try {
        return JSON.stringify(
          ((await other.callTool({ name: 'list_images', arguments: {} })) as { content: unknown }).content,
        );
      } finally {
        await other.close();
      }
    };
    // Carol, another person, does not see Alice's image; Bob, an admin, sees everyone's.
    expect(await listBy('carol')).not.toContain('a signed-in owl');
    expect(await listBy('bob')).toContain('a signed-in owl');
  }, 60_000);

  it('refuses an email that is not on the allow-list, and one the provider has not verified', async () => {
    for (const who of ['mallory', 'unverified'] as const) {
      user = who;
      const provider = new TestOAuthProvider();
      await expect(connect(provider)).rejects.toThrow();
      expect(provider.callback?.get('error')).toBe('access_denied');
      expect(provider.saved).toBeUndefined();
    }
  }, 60_000);
  it('rotates refresh tokens, honours revocation, and shuts out an email taken off the list at the next request and refresh', async () => {
    user = 'carol';
    const provider = new TestOAuthProvider();
    await (await connect(provider)).close();
    const clientId = provider.client?.client_id as string;
    const token = async (params: Record<string, string>) => {
      const res = await fetch(`${origin}/api/auth/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, resource: `${origin}/mcp`, ...params }).toString(),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const listWith = (accessToken: string) => listToolsWith(origin, accessToken);

    const first = provider.saved?.refresh_token as string;
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toBeTruthy();
    expect(rotated.body.refresh_token).not.toBe(first);
    expect((await listWith(rotated.body.access_token as string)).status).toBe(200);

    // A revoked refresh token gets no new tokens.
    const revoke = await fetch(`${origin}/api/auth/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: rotated.body.refresh_token as string,
        token_type_hint: 'refresh_token',
        client_id: clientId,
      }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect(
      (await token({ grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token as string })).status,
    ).toBe(400);

    // Carol is taken off the list (a restart with the new list): her access and refresh tokens stop working.
    const again = new TestOAuthProvider();
    again.client = provider.client;
    await (await connect(again)).close();
    await studio.stop({ keepData: true });
    studio = await startServer(
      port,
      { ...serverEnv, STUDIO_ALLOWED_EMAILS: 'alice@example.com, bob@example.com' },
      studio.dataDir,
    );
    const refused = await listWith(again.saved?.access_token as string);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: again.saved?.refresh_token as string });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    await studio.stop({ keepData: true });
    studio = await startServer(port, serverEnv, studio.dataDir);
  }, 90_000);

  it('mcp-remote, a third-party client, signs in (DCR, PKCE, loopback redirect) and calls a tool', async () => {
    user = 'alice';
    const proxy = path.resolve(import.meta.dirname, '../node_modules/mcp-remote/dist/proxy.js');
    const listed = await callThroughMcpRemote(proxy, `${origin}/mcp`, { name: 'list_images', arguments: {} });
    expect(listed.result?.isError).toBeFalsy();
    expect(JSON.stringify(listed.result)).toContain('a signed-in owl');
  }, 90_000);
  it('a personal access token serves a client that only takes a header, until it is revoked', async () => {
    const cli = (args: string[]) =>
      runCli(['token', ...args], { env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATA_DIR: studio.dataDir } });
    const unknown = await cli(['create', '--email', 'nobody@example.com']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('has signed in to this studio yet');
    const made = await cli(['create', '--email', 'Alice@example.com', '--name', 'header-only client', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const { token, id } = JSON.parse(made.stdout) as { token: string; id: string };
    expect(token).toMatch(/^nbs_pat_/);
    const listAs = async (bearer: string) => {
      const client = new Client({ name: 'header only', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${bearer}` } },
        }),
      );
      try {
        return JSON.stringify(
          ((await client.callTool({ name: 'list_images', arguments: {} })) as { content: unknown }).content,
        );
      } finally {
        await client.close();
      }
    };
    expect(await listAs(token)).toContain('a signed-in owl');
    const listed = await cli(['list', '--email', 'alice@example.com']);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('last used');
    expect((await cli(['revoke', id])).code).toBe(0);
    await expect(listAs(token)).rejects.toThrow();
    await expect(listAs(`${token}x`)).rejects.toThrow();
  }, 60_000);
  it('the authorization matrix: each person reaches only their own images, pipelines, uploads and resources; an admin reaches all', async () => {
    const as = async (who: TestUser) => {
      user = who;
      return connect(new TestOAuthProvider());
    };
    const alice = await as('alice');
    const carol = await as('carol');
    const bob = await as('bob');
    const clients = { alice, carol, bob } as const;
    type Result = { isError?: boolean; content?: unknown; structuredContent?: Record<string, unknown> };
    const call = (client: Client, name: string, args: Record<string, unknown>) =>
      client.callTool({ name, arguments: args }) as Promise<Result>;
    try {
      // What Alice owns.
      const made = await call(alice, 'generate_image', { prompt: 'matrix: alice only' });
      const imageId = /img_[A-Za-z0-9]+/.exec(JSON.stringify(made.content))?.[0] as string;
      expect(imageId).toBeTruthy();
      const started = await call(alice, 'generate_image_async', { prompt: 'matrix: alice pipeline' });
      const pipelineId = String((started.structuredContent?.pipeline_ids as string[] | undefined)?.[0]);
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
        .png()
        .toBuffer();
      const uploaded = await call(alice, 'upload_file', { data: png.toString('base64'), display_name: 'matrix.png' });
      const uploadId = /upl_[A-Za-z0-9]+/.exec(JSON.stringify(uploaded.content))?.[0] as string;
      const proposed = await call(alice, 'propose_concepts', { prompt: 'matrix: a lighthouse idea', count: 1 });
      const conceptId = String((proposed.structuredContent?.concepts as Array<{ id: string }> | undefined)?.[0]?.id);
      expect(conceptId).toMatch(/#0$/);
      expect(uploadId, JSON.stringify(uploaded.content)).toBeTruthy();

      /**
       * 'allowed', or the refusal as the client saw it: an error result's text, or a rejected request's
       * message. Every refusal must be the not-found answer (someone else's things are not said to exist),
       * never some other failure that happens to be an error.
       */
      const reaches = async (run: () => Promise<Result | unknown>): Promise<string> => {
        try {
          const result = (await run()) as Result;
          if (!result?.isError) return 'allowed';
          return ((result.content ?? []) as Array<{ text?: string }>).map((b) => b.text ?? '').join('\n');
        } catch (error) {
          return (error as Error).message;
        }
      };
      const operations: Record<string, (client: Client) => Promise<unknown>> = {
        image_info: (c) => call(c, 'image_info', { id: imageId }),
        'edit_image (her image)': (c) => call(c, 'edit_image', { image: imageId, instruction: 'matrix: add a hat' }),
        'generate_image (her image as reference)': (c) =>
          call(c, 'generate_image', { prompt: 'matrix: from a reference', reference_images: [imageId] }),
        get_image: (c) => call(c, 'get_image', { pipeline_id: pipelineId }),
        'resource images://id': (c) => c.readResource({ uri: `images://${imageId}` }),
        'resource images://id/metadata': (c) => c.readResource({ uri: `images://${imageId}/metadata` }),
        'generate_image (her concept)': (c) => call(c, 'generate_image', { concept_id: conceptId }),
        'generate_image (her upload as reference)': (c) =>
          call(c, 'generate_image', { prompt: 'matrix: from an upload', reference_images: [uploadId] }),
      };
      const outcome: Record<string, Record<string, string>> = {};
      for (const [name, run] of Object.entries(operations)) {
        outcome[name] = {};
        for (const [who, client] of Object.entries(clients))
          (outcome[name] as Record<string, string>)[who] = await reaches(() => run(client));
      }
      // Carol is told exactly what anyone is told of an id that does not exist (the reference varies).
      const noImage = `No image with id "${imageId}". Call list_images to see the ids of your images.`;
      const refusedToCarol: Record<string, string> = {
        image_info: noImage,
        'edit_image (her image)': noImage,
        'generate_image (her image as reference)': noImage,
        get_image: `No pipeline with id "${pipelineId}". Use the pipeline ids that generate_image_async returned.`,
        'resource images://id': noImage,
        'resource images://id/metadata': noImage,
        'generate_image (her concept)': `No concept "${conceptId}". Use an id that propose_concepts returned, like "pl_…#0".`,
        'generate_image (her upload as reference)': `No upload with id "${uploadId}" (it may have been deleted). Call list_uploads to see your uploads, or upload_file to upload the file again.`,
      };
      const withoutReference = (text: string) => text.replace(/ \(reference: req_[0-9a-f]+\)$/, '');
      expect(
        Object.fromEntries(
          Object.entries(outcome).map(([name, by]) => [name, { ...by, carol: withoutReference(by.carol ?? '') }]),
        ),
      ).toEqual(
        Object.fromEntries(
          Object.keys(operations).map((name) => [
            name,
            { alice: 'allowed', carol: refusedToCarol[name], bob: 'allowed' },
          ]),
        ),
      );

      // Lists: her own, everyone's for the admin, none of hers for Carol.
      const listed = async (client: Client) =>
        JSON.stringify((await call(client, 'list_images', { limit: 50 })).content);
      expect(await listed(alice)).toContain(imageId);
      expect(await listed(bob)).toContain(imageId);
      expect(await listed(carol)).not.toContain(imageId);
      expect(JSON.stringify((await call(carol, 'list_uploads', {})).content)).not.toContain(uploadId);
      // Destructive calls on what is not theirs are refused, and change nothing.
      expect(withoutReference(await reaches(() => call(carol, 'delete_upload', { id: uploadId })))).toBe(
        refusedToCarol['generate_image (her upload as reference)'],
      );
      expect(withoutReference(await reaches(() => call(carol, 'cancel_pipeline', { pipeline_id: pipelineId })))).toBe(
        refusedToCarol.get_image,
      );
      expect(JSON.stringify((await call(alice, 'list_uploads', {})).content)).toContain(uploadId);
    } finally {
      for (const client of Object.values(clients)) await client.close();
    }
  }, 120_000);
});

describe('when sign-in is on, and what it needs', () => {
  const serve = async (args: string[], env: Record<string, string>) =>
    runCli(['serve', '--port', '0', ...args], {
      env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATA_DIR: await makeDataDir(), GEMINI_API_KEY: 'k', ...env },
      timeoutMs: 15_000,
    });

  it('on a non-loopback address, refuses to start without its OIDC client, secret and allow-list, naming them', async () => {
    const run = await serve(['--host', '0.0.0.0'], {});
    expect(run.code).toBe(2);
    for (const name of [
      'STUDIO_OIDC_CLIENT_ID',
      'STUDIO_OIDC_CLIENT_SECRET',
      'STUDIO_AUTH_SECRET',
      'STUDIO_ALLOWED_EMAILS',
    ])
      expect(run.stderr).toContain(name);
  });

  it('refuses STUDIO_AUTH=off on a non-loopback address unless --allow-unauthenticated is given', async () => {
    const refused = await serve(['--host', '0.0.0.0'], { STUDIO_AUTH: 'off' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--allow-unauthenticated');
  });
});
