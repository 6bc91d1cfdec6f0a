/**
 * Client ID Metadata Documents: a client whose client_id is an HTTPS URL to its metadata signs in without
 * registering. The document is served over real TLS (a certificate made for the test, trusted by the
 * server through NODE_EXTRA_CA_CERTS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeExchangeAndCall, connectSignedIn } from './helpers/clientFlow.js';
import { browserRequest, startSignedInStudio, TestOAuthProvider } from './helpers/signInServer.js';

/** The client as claude.ai is one: identified by the URL of its metadata, never registered. */
class MetadataDocumentClient extends TestOAuthProvider {
  constructor(readonly clientMetadataUrl: string) {
    super();
  }
}

describe('client ID metadata documents (CIMD)', () => {
  let signedIn: Awaited<ReturnType<typeof startSignedInStudio>>;
  let docs: https.Server;
  let dir: string;
  let origin: string;
  let docsOrigin: string;
  const documents = new Map<string, Record<string, unknown>>();
  let hugeSent = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-cimd-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    docs = https.createServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
      if (req.url === '/clients/huge.json') {
        // 50 MB of JSON whitespace, chunked, written only as fast as the reader takes it.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (hugeSent < 50 * 1024 * 1024 && !res.destroyed) {
            hugeSent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      const doc = documents.get(req.url ?? '');
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(doc ?? { error: 'not_found' }));
    });
    await new Promise<void>((resolve) => docs.listen(0, '127.0.0.1', resolve));
    docsOrigin = `https://127.0.0.1:${(docs.address() as AddressInfo).port}`;
    signedIn = await startSignedInStudio({
      currentUser: () => 'alice',
      allowedEmails: 'alice@example.com',
      // The documents are on loopback here; a real server refuses private hosts.
      env: { STUDIO_CLIENT_METADATA_PRIVATE_HOSTS: 'true', NODE_EXTRA_CA_CERTS: cert },
    });
    origin = signedIn.origin;
  }, 60_000);
  afterAll(async () => {
    await signedIn?.stop();
    await new Promise((resolve) => docs?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const documentFor = (name: string, overrides: Record<string, unknown> = {}) => {
    const url = `${docsOrigin}/clients/${name}.json`;
    documents.set(`/clients/${name}.json`, {
      client_id: url,
      client_name: `CIMD test client ${name}`,
      redirect_uris: ['http://127.0.0.1:4999/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...overrides,
    });
    return url;
  };

  it('advertises client ID metadata documents in the authorization server metadata', async () => {
    const metadata = (await (await fetch(`${origin}/.well-known/oauth-authorization-server/api/auth`)).json()) as {
      client_id_metadata_document_supported?: boolean;
    };
    expect(metadata.client_id_metadata_document_supported).toBe(true);
  });

  it('signs in a client identified by its metadata URL, without registering it', async () => {
    const url = documentFor('good');
    const provider = new MetadataDocumentClient(url);
    const client = await connectSignedIn(`${origin}/mcp`, provider, 'cimd test');
    try {
      const listed = (await client.callTool({ name: 'list_images', arguments: {} })) as { isError?: boolean };
      expect(listed.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    const claims = JSON.parse(
      Buffer.from(String(provider.saved?.access_token).split('.')[1] as string, 'base64url').toString(),
    ) as { azp?: string; client_id?: string };
    expect(claims.azp ?? claims.client_id).toBe(url);
  }, 60_000);

  // The published documents of two real clients, served here under a loopback URL (the client_id is the URL).
  const publishedDocuments = [
    {
      name: 'vscode',
      // https://vscode.dev/oauth/client-metadata.json as quoted verbatim in public CIMD test fixtures
      // (client_uri, logo_uri left out: they are informative); VS Code desktop uses the fixed 33418 port.
      document: {
        client_name: 'Visual Studio Code',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1:33418/', 'https://vscode.dev/redirect'],
      },
      redirectUri: 'http://127.0.0.1:33418/',
    },
    {
      name: 'claude-code',
      // https://claude.ai/oauth/claude-code-client-metadata (port-less loopback redirects; Claude Code listens on a
      // random port, RFC 8252 §7.3), as listed in published CIMD client tables.
      document: {
        client_name: 'Claude Code',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
      },
      redirectUri: 'http://localhost:53117/callback',
    },
  ];
  publishedDocuments.push({
    name: 'private-use',
    // A native client that publishes a private-use callback (Cursor's form, RFC 8252 §7.1).
    document: {
      client_name: 'Private-use client',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'],
    },
    redirectUri: 'cursor://anysphere.cursor-mcp/oauth/callback',
  } as (typeof publishedDocuments)[number]);
  for (const published of publishedDocuments)
    it(`the metadata document of ${published.name} signs in and calls a tool`, async () => {
      const url = documentFor(published.name, published.document);
      await authorizeExchangeAndCall(origin, {
        clientId: url,
        redirectUri: published.redirectUri,
        scope: 'openid email',
      });
    }, 60_000);

  it('refuses a document larger than 64 KB without reading it whole', async () => {
    const url = `${docsOrigin}/clients/huge.json`;
    const authorize = new URL(`${origin}/api/auth/oauth2/authorize`);
    authorize.search = new URLSearchParams({
      client_id: url,
      redirect_uri: 'http://127.0.0.1:4999/callback',
      response_type: 'code',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
      scope: 'openid email',
      state: 's',
      resource: `${origin}/mcp`,
    }).toString();
    const res = await browserRequest(authorize.toString(), {
      headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
    });
    expect(res.headers.get('location') ?? '').toMatch(/error=invalid_client/);
    await new Promise((r) => setTimeout(r, 200));
    // What the server took before it stopped reading (plus what sat in socket buffers): far from 50 MB.
    console.error(`client metadata document: ${(hugeSent / 1024 / 1024).toFixed(1)} MB sent of 50`);
    expect(hugeSent).toBeLessThan(8 * 1024 * 1024);
  }, 60_000);

  it('refuses a document that names another client, or sends the code elsewhere', async () => {
    for (const [name, overrides] of [
      ['impostor', { client_id: `${docsOrigin}/clients/someone-else.json` }],
      ['elsewhere', { redirect_uris: ['https://attacker.example/callback'] }],
    ] as const) {
      const url = documentFor(name, overrides);
      const authorize = new URL(`${origin}/api/auth/oauth2/authorize`);
      authorize.search = new URLSearchParams({
        client_id: url,
        redirect_uri: 'http://127.0.0.1:4999/callback',
        response_type: 'code',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
        scope: 'openid email',
        state: 's',
        resource: `${origin}/mcp`,
      }).toString();
      // As a browser asks (Node's fetch would get JSON instead of redirects).
      const res = await browserRequest(authorize.toString(), {
        headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
      });
      const location = res.headers.get('location') ?? '';
      // Never on to sign-in, nor back to the client with a code.
      expect(location.startsWith('http://127.0.0.1:4999/callback?code'), name).toBe(false);
      expect(location.includes('/login'), `${name}: ${location}`).toBe(false);
      expect(location, name).toMatch(name === 'impostor' ? /error=invalid_client/ : /error=invalid_redirect/);
    }
  }, 60_000);
});
