/**
 * The registration rules on their own (the client matrix drives them through the real server): what is
 * changed before better-auth sees a registration, and what is left for it to refuse.
 */
import { describe, expect, it } from 'vitest';
import { matchesRegisteredRedirect, normaliseRegistration, redirectKind } from '../src/auth/registrationNormaliser.js';
import { createOriginPolicy } from '../src/http/origin.js';

describe('registration normaliser', () => {
  it('classifies redirects by RFC 8252', () => {
    expect(redirectKind('http://127.0.0.1:5000/cb')).toBe('loopback');
    expect(redirectKind('http://[::1]/cb')).toBe('loopback');
    expect(redirectKind('http://localhost/cb')).toBe('loopback');
    expect(redirectKind('http://localhost.evil.example/cb')).toBe('refused');
    expect(redirectKind('http://127.0.0.1.nip.io/cb')).toBe('refused');
    expect(redirectKind('https://claude.ai/api/mcp/auth_callback')).toBe('https');
    expect(redirectKind('cursor://anysphere.cursor-mcp/oauth/callback')).toBe('private-use');
    expect(redirectKind('com.example.app:/oauth2redirect')).toBe('private-use');
    for (const refused of [
      'javascript:alert(1)',
      'data:text/html,x',
      'file:///etc/passwd',
      'cursor://a/cb#frag',
      'http://u:p@127.0.0.1/',
    ])
      expect(redirectKind(refused), refused).toBe('refused');
  });

  it('makes a loopback or private-use registration native, and leaves an https-only web client alone', () => {
    expect(normaliseRegistration({ redirect_uris: ['http://localhost:1/cb'] })?.body.application_type).toBe('native');
    expect(
      normaliseRegistration({ redirect_uris: ['http://localhost:1/cb'], application_type: 'web' })?.body
        .application_type,
    ).toBe('native');
    expect(normaliseRegistration({ redirect_uris: ['https://claude.ai/api/mcp/auth_callback'] })).toBeUndefined();
    expect(
      normaliseRegistration({ redirect_uris: ['http://localhost:1/cb'], application_type: 'native' }),
    ).toBeUndefined();
  });

  it('registers a private-use redirect the provider refuses through a loopback placeholder, keeping the order', () => {
    const uris = [
      'https://www.cursor.com/agents/mcp/oauth/callback',
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'com.example.app:/cb',
    ];
    const normalised = normaliseRegistration({ redirect_uris: uris });
    expect(normalised?.redirectUris).toEqual(uris);
    const sent = normalised?.body.redirect_uris as string[];
    expect(sent[0]).toBe(uris[0]);
    expect(sent[1]).toMatch(/^http:\/\/127\.0\.0\.1\//);
    // The provider accepts authority-free reverse-domain schemes itself.
    expect(sent[2]).toBe(uris[2]);
    expect(normalised?.placeholders.get(sent[1] as string)).toBe(uris[1]);
  });

  it('leaves out grants not offered here only when the authorization-code grant remains', () => {
    const vscode = normaliseRegistration({
      redirect_uris: ['http://127.0.0.1/'],
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    });
    expect(vscode?.body.grant_types).toEqual(['authorization_code', 'refresh_token']);
    const deviceOnly = normaliseRegistration({
      redirect_uris: ['https://x.example/cb'],
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
    });
    expect(deviceOnly).toBeUndefined();
  });

  it('matches a redirect as authorization does: exactly, loopback on any port', () => {
    const registered = [
      'http://127.0.0.1/',
      'http://localhost/callback',
      'cursor://anysphere.cursor-mcp/oauth/callback',
    ];
    expect(matchesRegisteredRedirect(registered, 'http://127.0.0.1:51873/')).toBe(true);
    expect(matchesRegisteredRedirect(registered, 'http://localhost:8/callback')).toBe(true);
    expect(matchesRegisteredRedirect(registered, 'http://localhost:8/other')).toBe(false);
    expect(matchesRegisteredRedirect(registered, 'http://127.0.0.2:8/')).toBe(false);
    expect(matchesRegisteredRedirect(registered, 'cursor://anysphere.cursor-mcp/oauth/callback')).toBe(true);
    expect(matchesRegisteredRedirect(registered, 'cursor://anysphere.cursor-mcp/oauth/callback/')).toBe(false);
  });
});

describe('origin policy', () => {
  it('allows configured origins, the server’s own hosts, localhost only on loopback binds, and no Origin at all', () => {
    const publicBind = createOriginPolicy({
      allowedOrigins: ['https://inspector.example.com', 'web.example.org'],
      allowedHosts: ['studio.example.com'],
      publicUrl: 'https://studio.example.com',
      localBind: false,
    });
    expect(publicBind.allows(undefined)).toBe(true);
    expect(publicBind.allows('https://inspector.example.com')).toBe(true);
    expect(publicBind.allows('https://web.example.org')).toBe(true);
    expect(publicBind.allows('https://studio.example.com')).toBe(true);
    expect(publicBind.allows('http://localhost:6274')).toBe(false);
    expect(publicBind.allows('https://evil.example')).toBe(false);
    expect(publicBind.allows('null')).toBe(false);
    const local = createOriginPolicy({ allowedOrigins: [], allowedHosts: [], localBind: true });
    expect(local.allows('http://localhost:6274')).toBe(true);
    expect(local.allows('http://[::1]:3000')).toBe(true);
  });
});
