/**
 * Pipelines through the real MCP client over stdio and HTTP: prompt engineering, progress, async with
 * long-poll, the synchronous limit, cancellation, concepts, enhancement, and a SIGKILL in the middle.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { generateRequests, marker, textRequests } from './helpers/emulator.js';
import { idsOf, imagesOf, snapshotOf, startStudio, type TransportKind, textOf } from './helpers/studio.js';
import { useEmulator, useStudio } from './helpers/useStudio.js';

type Result = { content: unknown[]; isError?: boolean; structuredContent?: Record<string, unknown> };
interface Snapshot {
  pipeline_id: string;
  status: string;
  progress_percent: number;
  stage?: string;
  stages: Array<{ name: string; state: string }>;
  results: Array<{ image_id: string; url?: string; path?: string; thumbnail?: string }>;
  error?: { code: string; message: string };
}

const emu = useEmulator();

describe.each<TransportKind>(['stdio', 'http'])('pipelines over %s', (kind) => {
  const studio = useStudio(kind, { emulator: emu, env: { STUDIO_AUTO_STYLE: 'true' } });
  const call = studio.call;

  it('generate_image (auto_style on by default: engineer-prompt rewrites, progress names every stage in order)', async () => {
    const m = marker('style');
    const events: Array<{ progress: number; message?: string }> = [];
    const result = (await studio.client.callTool(
      { name: 'generate_image', arguments: { prompt: `a cat on a roof ${m}` } },
      { onprogress: (p) => events.push(p) },
    )) as Result;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textRequests(emu, m)).toHaveLength(1);
    const sent = String(generateRequests(emu, m)[0]?.body.contents?.at(-1)?.parts?.at(-1)?.text);
    expect(sent).toContain(`a cat on a roof ${m}`);
    expect(sent).toContain('cinematic lighting'); // the emulator's text model refined it
    expect(events.map((e) => /^(\S+)/.exec(e.message ?? '')?.[1])).toEqual([
      'engineer-prompt',
      'generate',
      'store',
      'completed',
    ]);
    expect(events.every((e, i) => i === 0 || e.progress > (events[i - 1]?.progress ?? 0))).toBe(true);
  });

  it('generate_image (auto_style false sends the prompt as written)', async () => {
    const m = marker('raw');
    const result = await call('generate_image', { prompt: `exactly this ${m}`, auto_style: false });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textRequests(emu, m)).toHaveLength(0);
    expect(String(generateRequests(emu, m)[0]?.body.contents?.at(-1)?.parts?.at(-1)?.text)).toBe(`exactly this ${m}`);
  });

  it('generate_image_async + get_image (long-poll returns at completion, not at its deadline)', async () => {
    const m = marker('async');
    emu.faults.enqueue(
      { kind: 'latency', latencyMs: 1500 },
      { times: 1, match: { promptIncludes: m, model: 'gemini-nano-banana-2.1' } },
    );
    const started = await call('generate_image_async', { prompt: `a slow owl ${m}`, auto_style: false, iterations: 1 });
    expect(started.structuredContent).toMatchObject({ status: 'running' });
    const [id] = (started.structuredContent?.pipeline_ids ?? []) as string[];
    expect(id).toMatch(/^pl_/);
    const snapshot = (await call('get_image', { pipeline_id: id })).structuredContent as unknown as Snapshot;
    expect(['queued', 'running']).toContain(snapshot.status);
    const t0 = Date.now();
    const done = await call('get_image', { pipeline_id: id, wait_seconds: 60 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    // With the image: no structuredContent, or Claude Code drops the image (anthropics/claude-code#54737).
    expect(done.structuredContent).toBeUndefined();
    expect(snapshotOf(done)).toMatchObject({ pipeline_id: id, status: 'completed' });
    // cancel_pipeline returns a finished pipeline unchanged, with its whole snapshot.
    const final = (await call('cancel_pipeline', { pipeline_id: id })).structuredContent as unknown as Snapshot;
    expect(final.status).toBe('completed');
    expect(final.progress_percent).toBe(100);
    expect(final.stages.map((s) => [s.name, s.state])).toEqual([
      ['generate', 'completed'],
      ['store', 'completed'],
    ]);
    expect(final.results[0]?.image_id).toMatch(/^img_/);
    expect(final.results[0]?.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    expect(kind === 'http' ? final.results[0]?.url : final.results[0]?.path).toBeTruthy();
    expect(imagesOf(done)).toHaveLength(1);
    expect(idsOf(done)).toEqual([final.results[0]?.image_id]);
  });

  it('cancel_pipeline (aborts the Gemini call; nothing is stored)', async () => {
    const m = marker('cancel');
    emu.faults.enqueue({ kind: 'latency', latencyMs: 3000 }, { times: 1, match: { promptIncludes: m } });
    const returnedBefore = emu.stats().imagesReturned;
    const started = await call('generate_image_async', { prompt: `never mind ${m}`, auto_style: false });
    const [id] = (started.structuredContent?.pipeline_ids ?? []) as string[];
    await new Promise((r) => setTimeout(r, 400));
    const cancelled = (await call('cancel_pipeline', { pipeline_id: id })).structuredContent as unknown as Snapshot;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error?.code).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 3200));
    expect(emu.stats().imagesReturned).toBe(returnedBefore); // the emulator saw the connection close
    const listed = await call('list_images', { search: m });
    expect(textOf(listed)).toContain('No images match');
    const again = (await call('cancel_pipeline', { pipeline_id: id })).structuredContent as unknown as Snapshot;
    expect(again.status).toBe('cancelled');
  });

  it('generate_image (a cancelled request cancels its pipeline upstream)', async () => {
    const m = marker('abort');
    emu.faults.enqueue({ kind: 'latency', latencyMs: 3000 }, { times: 1, match: { promptIncludes: m } });
    const returnedBefore = emu.stats().imagesReturned;
    // Over stateless HTTP only the 2026 era can cancel a call (it closes the call's own stream); a 2025-era
    // notifications/cancelled POST reaches another instance. stdio cancels in both eras.
    let client = studio.client;
    if (kind === 'http') {
      client = new Client({ name: 'modern', version: '1' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${studio.url}/mcp`)));
    }
    const controller = new AbortController();
    const pending = client.callTool(
      { name: 'generate_image', arguments: { prompt: `abandoned ${m}`, auto_style: false } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 400);
    await expect(pending).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 3200));
    expect(emu.stats().imagesReturned).toBe(returnedBefore);
    if (client !== studio.client) await client.close();
  });

  it('get_image (unknown pipeline)', async () => {
    const result = await call('get_image', { pipeline_id: 'pl_doesnotexist' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/No pipeline with id "pl_doesnotexist"/);
  });

  it('propose_concepts, then generate_image from a concept with a refinement', async () => {
    const m = marker('concept');
    const proposed = await call('propose_concepts', { prompt: `a logo for a bakery ${m}`, count: 3 });
    expect(proposed.isError, textOf(proposed)).toBeFalsy();
    const structured = proposed.structuredContent as {
      pipeline_id: string;
      conversation_id: string;
      concepts: Array<{ id: string; refined_prompt: string; keywords: string[] }>;
    };
    expect(structured.concepts.map((c) => c.id)).toEqual([0, 1, 2].map((i) => `${structured.pipeline_id}#${i}`));
    expect(structured.concepts[0]?.keywords.length).toBeGreaterThanOrEqual(3);

    const follow = await call('propose_concepts', {
      prompt: `warmer colours ${m}x`,
      conversation_id: structured.conversation_id,
    });
    expect(follow.isError, textOf(follow)).toBeFalsy();
    const contents = textRequests(emu, `warmer colours ${m}x`)[0]?.body.contents ?? [];
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user']); // the earlier turn is in context

    const concept = structured.concepts[1];
    const image = await call('generate_image', { concept_id: concept?.id, refinement: `no text ${m}r` });
    expect(image.isError, textOf(image)).toBeFalsy();
    const sent = String(generateRequests(emu, `no text ${m}r`)[0]?.body.contents?.at(-1)?.parts?.at(-1)?.text);
    expect(sent).toContain(concept?.refined_prompt);
    expect(sent).toContain(`Refinement: no text ${m}r`);
    expect(textRequests(emu, `no text ${m}r`)).toHaveLength(0); // a concept is not rewritten again

    const unknown = await call('generate_image', { concept_id: 'pl_nope#0' });
    expect(textOf(unknown)).toMatch(/No concept "pl_nope#0"/);
  });

  it('generate_image (enhance: a second pass in the same conversation, billed twice)', async () => {
    const m = marker('enhance');
    const result = await call('generate_image', { prompt: `a rusty robot ${m}`, enhance: true, auto_style: false });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toContain('estimated cost: $0.0672');
    const requests = emu.requests.filter(
      (r) => r.path.includes('gemini-nano-banana-2.1') && JSON.stringify(r.body).includes(m),
    );
    expect(requests).toHaveLength(2);
    const second = requests[1]?.body as { contents: Array<{ role: string; parts: Array<{ text?: string }> }> };
    expect(second.contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(second.contents.at(-1)?.parts.at(-1)?.text).toMatch(/^Enhance this image/);
  });

  it('generate_image (rejects contradicting synonyms and a missing prompt)', async () => {
    expect(textOf(await call('generate_image', { prompt: 'x', n: 2, iterations: 3 }))).toMatch(
      /n \(2\) and iterations \(3\) disagree/,
    );
    expect(textOf(await call('generate_image', { prompt: 'x', image_size: '1K', resolution: '2K' }))).toMatch(
      /disagree/,
    );
    expect(textOf(await call('generate_image', {}))).toMatch(/Give a prompt/);
    const ok = await call('generate_image', {
      prompt: `synonyms ${marker('syn')}`,
      iterations: 2,
      resolution: '2k',
      auto_style: false,
    });
    expect(idsOf(ok)).toHaveLength(2);
    expect(textOf(ok)).toContain('2K, ratio 1:1, 2048x2048 px');
  });
});

describe.each<TransportKind>(['stdio', 'http'])('the synchronous limit over %s', (kind) => {
  const studio = useStudio(kind, { emulator: emu, env: { STUDIO_SYNC_LIMIT_SECONDS: '1' } });
  it('hands over to get_image when generation takes longer than the limit', async () => {
    const m = marker('slow');
    emu.faults.enqueue({ kind: 'latency', latencyMs: 2500 }, { times: 1, match: { promptIncludes: m } });
    const result = await studio.call('generate_image', { prompt: `slow ${m}` });
    expect(result.isError).toBeFalsy();
    // Still running when it answered: it handed over at the limit instead of waiting out the 2.5 s.
    const id = /(pl_[a-z0-9]+) \(status running\)/.exec(textOf(result))?.[1];
    expect(id, textOf(result)).toBeTruthy();
    const done = await studio.call('get_image', { pipeline_id: id, wait_seconds: 30 });
    expect(snapshotOf(done).status).toBe('completed');
  });
});

describe.each<TransportKind>(['stdio', 'http'])('a server killed in the middle of ten pipelines (%s)', (kind) => {
  it('resumes them on restart: every pipeline ends completed or failed, none stays running', async () => {
    const env = { STUDIO_CONCURRENCY: '3' };
    const first = await startStudio(kind, { geminiUrl: emu.url, env });
    const m = marker('crash');
    emu.faults.setGlobal({ latencyMs: 800 });
    const ids: string[] = [];
    try {
      for (const n of [4, 4, 2]) {
        const started = (await first.client.callTool({
          name: 'generate_image_async',
          arguments: { prompt: `crash test ${m} ${n}`, n },
        })) as Result;
        ids.push(...((started.structuredContent?.pipeline_ids ?? []) as string[]));
      }
      expect(ids).toHaveLength(10);
      await new Promise((r) => setTimeout(r, 1000)); // some finished, some running, some queued
      first.kill();
    } finally {
      emu.faults.setGlobal(null);
    }
    await new Promise((r) => setTimeout(r, 300));
    const second = await startStudio(kind, { geminiUrl: emu.url, env, dataDir: first.dataDir });
    try {
      const finals = await Promise.all(
        ids.map(async (id) => {
          const result = (await second.client.callTool({
            name: 'get_image',
            arguments: { pipeline_id: id, wait_seconds: 60 },
          })) as Result;
          return snapshotOf(result);
        }),
      );
      for (const snapshot of finals) expect(['completed', 'failed']).toContain(snapshot.status);
      expect(finals.filter((s) => s.status === 'completed').length).toBe(10);
      const imageIds = finals.flatMap((s) => s.results.map((r) => r.image_id));
      expect(new Set(imageIds).size).toBe(10);
      const listed = (await second.client.callTool({
        name: 'list_images',
        arguments: { search: m, limit: 50 },
      })) as Result;
      expect(idsOf(listed).sort()).toEqual([...imageIds].sort()); // no duplicate image for a resumed pipeline
    } finally {
      await second.close({ removeData: true });
    }
  });
});
