/**
 * The few pages people see while an assistant connects: consent, and what went wrong. Plain, server-rendered,
 * no script.
 * @module
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Nano Banana Studio</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function consentPage(params: URLSearchParams, signedQuery: string): string {
  const client = params.get('client_id') ?? 'an application';
  const scopes = (params.get('scope') ?? '').split(' ').filter(Boolean).join(', ') || 'your account';
  return page(
    'Allow access?',
    `<p><strong>${escapeHtml(client)}</strong> asks to use this studio as you (${escapeHtml(scopes)}): make and edit images, which are billed to the studio's Gemini key and counted against your budget.</p>
<form method="post" action="/consent"><input type="hidden" name="oauth_query" value="${escapeHtml(signedQuery)}"><button name="accept" value="true">Allow</button><button name="accept" value="false">Deny</button></form>`,
  );
}

export function signInErrorPage(message: string): string {
  return page('Sign-in', `<p>${escapeHtml(message)}</p>`);
}
