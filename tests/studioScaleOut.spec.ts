/**
 * The studio's live progress across instances: two real servers share one PostgreSQL schema (and one data
 * folder); an image is started from the dashboard of the first; the event stream of each instance — one of
 * them does not run the pipeline — shows its stages as they happen and its end, through the same pipeline
 * signals (LISTEN/NOTIFY, polling as fallback) that get_image's long-poll uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { makeDataDir, type StudioProcess, startStudio } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

/** The `pipeline` events of one stream until its `end`, as they arrive. */
async function readEvents(
  url: string,
): Promise<Array<{ id: string; status: string; stage: string | null; progress: number }>> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: Array<{ id: string; status: string; stage: string | null; progress: number }> = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
      const event = /^event: (\S+)/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event === 'end') return events;
      if (event === 'pipeline' && data) events.push(JSON.parse(data));
    }
  }
  return events;
}

describe.skipIf(!BASE_URL)('studio progress across two instances (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let emu: Emulator;
  const instances: StudioProcess[] = [];

  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'studio');
    emu = await startEmulator();
    const migrated = await runCli(['migrate'], {
      env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: db.url },
    });
    expect(migrated.code, migrated.stderr).toBe(0);
    const dataDir = await makeDataDir();
    for (const name of ['a', 'b']) {
      instances.push(
        await startStudio('http', {
          geminiUrl: emu.url,
          dataDir,
          env: { STUDIO_DATABASE_URL: db.url, STUDIO_INSTANCE_NAME: name, STUDIO_CONCURRENCY: '2' },
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await emu?.close();
    await db?.drop();
  });

  it('each instance streams the stages and the end of a pipeline, whichever runs it', async () => {
    const [a, b] = instances as [StudioProcess, StudioProcess];
    // The Create form of instance a (sign-in off: the local person), posted with its own CSRF token.
    const form = await fetch(`${a.url}/ui/studio`);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] as string;
    const posted = await fetch(`${a.url}/ui/studio/generate`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, prompt: 'a slow moon [emulator:latency=2500]', n: '2' }),
    });
    expect(posted.status).toBe(303);
    const ids = new URL(posted.headers.get('location') as string, a.url).searchParams.get('ids') as string;
    expect(ids.split(',')).toHaveLength(2);
    const streams = await Promise.all(
      [a, b].map((s) => readEvents(`${s.url}/ui/studio/events?ids=${encodeURIComponent(ids)}`)),
    );
    // Every pipeline, on both streams (so on one that does not run it): seen while it ran, then its end.
    expect(streams).toHaveLength(2);
    for (const events of streams) {
      for (const id of ids.split(',')) {
        const mine = events.filter((e) => e.id === id);
        expect(mine.some((e) => e.status === 'running' && e.stage === 'generate')).toBe(true);
        expect(mine.some((e) => e.status === 'running' && e.stage === 'store')).toBe(true);
        expect(mine.at(-1)?.status).toBe('completed');
      }
    }
  }, 60_000);
});
