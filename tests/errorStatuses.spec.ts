/**
 * Issue 17: one HTTP status per error class, decided in one place (core/errorPresentation.httpAnswer) and
 * used by every onError and every form that answers an error: the dashboard's pages, its forms and the
 * HTTP app. In process for the table; over HTTP, against the built server, for the routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpAnswer } from '../src/core/errorPresentation.js';
import {
  AuthError,
  BudgetExceededError,
  CancelledError,
  ConfigError,
  ForbiddenError,
  InternalError,
  InvalidInputError,
  InvalidTokenError,
  ModelNotServedError,
  NotFoundError,
  QuotaExceededError,
  RateLimitedError,
  RefusalError,
  TimeoutError,
  UnavailableError,
  UpstreamError,
} from '../src/core/errors.js';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { type StudioProcess, startStudio } from './helpers/studio.js';

describe('httpAnswer: the status of each error class', () => {
  const now = Date.parse('2026-12-06T12:00:00.000Z');
  const answer = (error: unknown, masked = true) => httpAnswer(error, { masked, now, reference: 'req_1' });

  it.each([
    ['invalid input', new InvalidInputError('Use a smaller size.'), 400, 'invalid_input'],
    ['invalid token', new InvalidTokenError('This access token was revoked.'), 401, 'invalid_token'],
    ['forbidden', new ForbiddenError('Only an admin can.'), 403, 'forbidden'],
    ['not found', new NotFoundError('No image.'), 404, 'not_found'],
    ['model not served', new ModelNotServedError('Gemini does not know model x.'), 404, 'not_found'],
    ['cancelled', new CancelledError('The pipeline was cancelled.'), 409, 'cancelled'],
    ['refused', new RefusalError('Gemini declined.', 'SAFETY'), 422, 'refused'],
    ['rate limited', new RateLimitedError('Wait.', 12_500), 429, 'rate_limited'],
    ['config', new ConfigError('Set STUDIO_S3_BUCKET.'), 500, 'config'],
    ['Gemini key (not the caller’s)', new AuthError('The Gemini API key was rejected.'), 502, 'auth'],
    ['upstream', new UpstreamError('Gemini failed (500).', 500), 502, 'upstream'],
    ['Gemini quota', new QuotaExceededError('Gemini’s quota.', 30_000), 503, 'quota'],
    ['unavailable', new UnavailableError('The sign-in store is unavailable.', 5_000), 503, 'unavailable'],
    ['timeout', new TimeoutError('Gemini did not answer.'), 504, 'timeout'],
  ])('%s', (_, error, status, code) => {
    const got = answer(error);
    expect(got.status).toBe(status);
    expect(got.body).toEqual({ error: code, message: `${error.message} (reference: req_1)`, reference: 'req_1' });
    expect(got.internal).toBe(false);
  });

  it('says when to retry: the server’s hint, or when a budget resets', () => {
    expect(answer(new RateLimitedError('Wait.', 12_500)).headers).toEqual({ 'Retry-After': '13' });
    expect(answer(new QuotaExceededError('Gemini’s quota.', 30_000)).headers).toEqual({ 'Retry-After': '30' });
    expect(answer(new QuotaExceededError('Gemini’s quota.', undefined)).headers).toEqual({});
    const budget = new BudgetExceededError('Over budget.', {
      period: 'day',
      limitUsd: 1,
      spentUsd: 1,
      resetsAt: '2026-12-07T00:00:00.000Z',
    });
    expect(answer(budget).status).toBe(429);
    expect(answer(budget).headers).toEqual({ 'Retry-After': String(12 * 3600) });
    expect(answer(new InvalidInputError('No.')).headers).toEqual({});
  });

  it('an internal error, ours or not, is a 500 that shows nothing of itself when masked', () => {
    for (const error of [
      new InternalError('Nothing to store: the generate stage produced no image.'),
      new Error('SQLITE_FULL: database or disk is full at /data/studio.db'),
    ]) {
      const masked = answer(error);
      expect(masked.status).toBe(500);
      expect(masked.internal).toBe(true);
      expect(masked.body.error).toBe('internal');
      expect(masked.body.message).toBe(
        'Internal error in the image server. Try again; if it persists, report this reference to the server administrator (reference: req_1)',
      );
      // Unmasked (loopback binds, for development) the detail is shown too.
      expect(answer(error, false).body.message).toContain(
        error instanceof InternalError ? 'Nothing to store' : 'SQLITE_FULL',
      );
    }
    const kept = new InternalError('broken invariant', { cause: new RangeError('index 3') });
    expect(kept.message).toBe('Internal error in the image server.');
    expect(kept.detail).toBe('broken invariant');
    expect(kept.cause).toBeInstanceOf(RangeError);
  });
});

describe('the dashboard answers each error with its class’s status (sign-in off, no Gemini key)', () => {
  let emu: Emulator;
  let studio: StudioProcess;
  let cookie = '';
  let csrf = '';

  beforeAll(async () => {
    emu = await startEmulator();
    studio = await startStudio('http', { geminiUrl: emu.url, apiKey: null });
    const page = await fetch(`${studio.url}/ui/studio`);
    cookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    expect(csrf).not.toBe('');
  }, 60_000);
  afterAll(async () => {
    await studio?.close({ removeData: true });
    await emu?.close();
  });

  const post = (path: string, fields: Record<string, string>) =>
    fetch(`${studio.url}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: studio.url as string },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      redirect: 'manual',
    });

  it('a forbidden page is 403 (the local user is not an admin)', async () => {
    const res = await fetch(`${studio.url}/ui/admin`, { headers: { cookie } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This page is for the studio’s admins');
  });

  it('a refused Gemini key on a form is 502, not 400: the server’s key, not the person’s request', async () => {
    const res = await post('/ui/studio/concepts', { prompt: 'a lighthouse at dusk', count: '2' });
    const text = await res.text();
    expect(res.status, text.slice(0, 400)).toBe(502);
    expect(text).toContain('GEMINI_API_KEY');
  });

  it('input the form cannot use is still 400', async () => {
    const res = await post('/ui/studio/concepts', { prompt: '   ' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Write an idea');
  });
});
