/**
 * `/i/` image links with sign-in on: the link in a signed-in person's tool result works for them (it is
 * signed), and so do their images when they ask as themselves (bearer token or dashboard session); an
 * unsigned or forged link, or another person asking for their image, is refused.
 */
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './helpers/oidcProvider.js';
import { browse, startSignedInStudio, TestOAuthProvider } from './helpers/signInServer.js';
import { idsOf, textOf } from './helpers/studio.js';

describe('/i/ links with sign-in on', () => {
  let signedIn: Awaited<ReturnType<typeof startSignedInStudio>>;
  let origin: string;
  let user: TestUser = 'alice';

  beforeAll(async () => {
    signedIn = await startSignedInStudio({
      currentUser: () => user,
      allowedEmails: 'alice@example.com, carol@example.com',
    });
    origin = signedIn.origin;
  }, 60_000);
  afterAll(async () => {
    await signedIn?.stop();
  });

  const connect = async (who: TestUser) => {
    user = who;
    const provider = new TestOAuthProvider();
    const transport = () => new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider });
    let client = new Client({ name: 'links test', version: '1.0.0' });
    try {
      await client.connect(transport());
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      await transport().finishAuth(provider.callback as URLSearchParams);
      client = new Client({ name: 'links test', version: '1.0.0' });
      await client.connect(transport());
    }
    return { client, token: provider.saved?.access_token as string };
  };

  it("a signed-in person's image link is served to them, and refused to others", async () => {
    const alice = await connect('alice');
    const made = (await alice.client.callTool({ name: 'generate_image', arguments: { prompt: 'a linked owl' } })) as {
      content: unknown[];
      isError?: boolean;
    };
    await alice.client.close();
    expect(made.isError, textOf(made)).toBeFalsy();
    const [id] = idsOf(made);
    const link = /- url: (\S+)/.exec(textOf(made))?.[1] as string;
    expect(link).toMatch(new RegExp(`^${origin}/i/${id}\\.\\w+\\?exp=\\d+&sig=`));

    // The link from the tool result works as it is (a browser, an <img>, the assistant's fetch).
    const served = await fetch(link);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^image\//);
    expect((await served.arrayBuffer()).byteLength).toBeGreaterThan(100);

    const bare = link.split('?')[0] as string;
    // Unsigned, or with a forged signature, and nobody signed in: refused, saying what to do.
    const unsigned = await fetch(bare);
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { message: string }).message).toMatch(/not signed.*sign in/i);
    const forged = await fetch(`${bare}?exp=9999999999&sig=${'A'.repeat(43)}`);
    expect(forged.status).toBe(403);

    // By ownership: Alice with her token gets it without a signature; Carol, another person, does not.
    expect((await fetch(bare, { headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(200);
    const carol = await connect('carol');
    await carol.client.close();
    const other = await fetch(bare, { headers: { authorization: `Bearer ${carol.token}` } });
    expect(other.status).toBe(404);
    expect(other.headers.get('cache-control') ?? '').not.toContain('public');

    // Alice's dashboard session (her browser, signed in to /ui) opens it too; Carol's does not.
    const sessionFetch = async (who: TestUser) => {
      user = who;
      const jar = new Map<string, Map<string, string>>();
      await browse(`${origin}/ui/sign-in?next=/ui/settings`, `${origin}/ui/settings`, jar);
      const cookies = jar.get(origin) ?? new Map<string, string>();
      return fetch(bare, { headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    };
    expect((await sessionFetch('alice')).status).toBe(200);
    expect((await sessionFetch('carol')).status).toBe(404);
  }, 90_000);
});
