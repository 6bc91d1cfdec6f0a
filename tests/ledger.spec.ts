/**
 * The cost ledger, per-user budgets and rate limits: the repository contract on SQLite and (when
 * STUDIO_TEST_DATABASE_URL is set) on PostgreSQL in a fresh schema, concurrent reservations from two
 * instances, the guard's messages, and end to end through the built CLI, the MCP client and the emulator.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { BudgetExceededError, RateLimitedError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import { createModelRegistry } from '../src/core/models.js';
import type { GenerateImageResult, LedgerEntry, SpendingRepository } from '../src/core/ports.js';
import { SpendingGuard } from '../src/core/spending.js';
import { createImageRepository, createSpendingRepository, type Database, openDatabase } from '../src/store/index.js';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { runCli } from './helpers/runCli.js';
import { idsOf, makeDataDir, type StudioProcess, startStudio, textOf } from './helpers/studio.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const TTL = 15 * 60_000;
const NB2_1K = 0.067;
/** The default model (Nano Banana 2.1) at 1K: what the MCP flows below pay per image. */
const DEFAULT_1K = 0.0336;
const at = (offsetMs = 0) => new Date(NOW.getTime() + offsetMs).toISOString();

function entry(ownerId: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    ownerId,
    kind: 'generate',
    modelId: 'gemini-3.1-flash-image',
    modelAlias: 'nb2',
    imageSize: '1K',
    promptTokens: 12,
    imageTokens: 1120,
    thoughtsTokens: 0,
    totalTokens: 1132,
    costUsd: NB2_1K,
    pipelineId: 'pl_test',
    imageId: 'img_test',
    createdAt: at(),
    ...overrides,
  };
}

interface Instances {
  /** Two repositories on one database, as two server instances would have (separate pools on PostgreSQL). */
  repo: SpendingRepository;
  other: SpendingRepository;
  database: Database;
}

function reserveAt(repo: SpendingRepository, ownerId: string, offsetMs = 0, ttlMs = TTL) {
  return repo.reserve({ ownerId, estimateUsd: NB2_1K, now: at(offsetMs), ttlMs });
}

async function reservedId(repo: SpendingRepository, ownerId: string, offsetMs = 0): Promise<string> {
  const result = await reserveAt(repo, ownerId, offsetMs);
  if (!result.ok) throw new Error(`expected a reservation, got ${JSON.stringify(result)}`);
  return result.reservationId;
}

function spendingRepositoryContract(instances: () => Instances) {
  test('reserve counts calls in flight; settle writes one ledger row, release none', async () => {
    const { repo, database } = instances();
    await repo.setBudget('alice', { dailyUsd: 0.2 }, at());
    const a = await reservedId(repo, 'alice');
    const b = await reservedId(repo, 'alice');
    expect(await reserveAt(repo, 'alice')).toEqual({
      ok: false,
      period: 'day',
      limitUsd: 0.2,
      spentUsd: expect.closeTo(2 * NB2_1K, 9),
      resetsAt: '2026-11-22T00:00:00.000Z',
    });
    await repo.settle(a, entry('alice'));
    await repo.settle(a, entry('alice')); // settling twice still writes one row
    await repo.settle(b, null);
    const rows = await database.db.selectFrom('ledger').selectAll().where('owner_id', '=', 'alice').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: a, kind: 'generate', model_alias: 'nb2', image_tokens: 1120 });
    expect(await database.db.selectFrom('spend_reservations').selectAll().execute()).toEqual([]);
    // One billed call and nothing in flight: another fits again.
    expect((await reserveAt(repo, 'alice')).ok).toBe(true);
  });

  test('the monthly budget counts the whole UTC month and resets on the 1st; the daily one only today', async () => {
    const { repo } = instances();
    await repo.setBudget('bob', { dailyUsd: 0.1, monthlyUsd: 1 }, at());
    const early = await reservedId(repo, 'bob');
    await repo.settle(early, entry('bob', { createdAt: '2026-11-03T08:00:00.000Z', costUsd: 0.9 }));
    expect((await reserveAt(repo, 'bob')).ok).toBe(true);
    expect(await reserveAt(repo, 'bob')).toMatchObject({
      ok: false,
      period: 'month',
      limitUsd: 1,
      spentUsd: expect.closeTo(0.9 + NB2_1K, 9),
      resetsAt: '2026-12-01T00:00:00.000Z',
    });
  });

  test('reservations expire, so a crashed instance stops holding the budget', async () => {
    const { repo } = instances();
    await repo.setBudget('carol', { dailyUsd: 0.1 }, at());
    expect((await reserveAt(repo, 'carol', 0, 60_000)).ok).toBe(true);
    expect((await reserveAt(repo, 'carol', 1_000)).ok).toBe(false);
    expect((await reserveAt(repo, 'carol', 61_000)).ok).toBe(true);
  });

  test("a rerun of the same call (pipeline and stage) on another instance replaces the dead run's reservation", async () => {
    const { repo, other } = instances();
    await repo.setBudget('dave', { dailyUsd: 0.1 }, at());
    const reserve = (r: SpendingRepository, callKey: string) =>
      r.reserve({ ownerId: 'dave', estimateUsd: NB2_1K, now: at(), ttlMs: TTL, callKey });
    // The first instance dies holding its reservation; the pipeline runs again on the other one.
    expect((await reserve(repo, 'pl_a:generate')).ok).toBe(true);
    // The budget has room for one call: the rerun fits because it replaces, where another call does not.
    expect((await reserve(other, 'pl_a:generate')).ok).toBe(true);
    expect((await reserve(other, 'pl_b:generate')).ok).toBe(false);
  });

  test('the rate limit admits N requests per minute and says how long to wait', async () => {
    const { repo, database } = instances();
    const admit = (offsetMs: number) => repo.admitRequest({ ownerId: 'dan', now: at(offsetMs) });
    expect(await admit(0)).toEqual({ ok: true });
    expect(await database.db.selectFrom('request_log').selectAll().execute()).toEqual([]); // no limit, no log
    await repo.setBudget('dan', { requestsPerMinute: 2 }, at());
    expect(await admit(0)).toEqual({ ok: true });
    expect(await admit(10_000)).toEqual({ ok: true });
    expect(await admit(20_000)).toEqual({ ok: false, retryAfterMs: 40_000, requestsPerMinute: 2 });
    expect(await admit(30_000)).toEqual({ ok: false, retryAfterMs: 30_000, requestsPerMinute: 2 });
    expect(await admit(60_001)).toEqual({ ok: true });
    expect(await admit(61_000)).toEqual({ ok: false, retryAfterMs: 9_000, requestsPerMinute: 2 });
  });

  test('budgets: set changes only what is given, null clears, get and list', async () => {
    const { repo } = instances();
    expect(await repo.getBudget('erin')).toBeUndefined();
    await repo.setBudget('erin', { dailyUsd: 5, monthlyUsd: 50, requestsPerMinute: 10 }, at());
    const changed = await repo.setBudget('erin', { dailyUsd: null, monthlyUsd: 40 }, at(1_000));
    expect(changed).toEqual({
      ownerId: 'erin',
      dailyUsd: null,
      monthlyUsd: 40,
      requestsPerMinute: 10,
      updatedAt: at(1_000),
    });
    expect(await repo.getBudget('erin')).toEqual(changed);
    await repo.setBudget('ann', { requestsPerMinute: 3 }, at());
    expect((await repo.listBudgets()).map((b) => b.ownerId)).toEqual(['ann', 'erin']);
  });

  test('costSummary counts billed calls by model (all time) and by UTC day (since)', async () => {
    const { repo } = instances();
    const settle = async (overrides: Partial<LedgerEntry>) =>
      repo.settle(await reservedId(repo, 'fay'), entry('fay', overrides));
    await settle({ createdAt: '2026-11-19T23:59:59.000Z' });
    await settle({ createdAt: '2026-11-20T00:00:00.000Z', kind: 'enhance' });
    await settle({
      createdAt: '2026-11-21T09:00:00.000Z',
      modelAlias: 'pro',
      modelId: 'gemini-3-pro-image',
      costUsd: 0.24,
    });
    await repo.settle(await reservedId(repo, 'gus'), entry('gus'));
    const summary = await repo.costSummary({ ownerId: 'fay', since: '2026-11-20T00:00:00.000Z' });
    expect(summary.byModel).toEqual([
      { modelAlias: 'pro', modelId: 'gemini-3-pro-image', images: 1, costUsd: expect.closeTo(0.24, 9) },
      { modelAlias: 'nb2', modelId: 'gemini-3.1-flash-image', images: 2, costUsd: expect.closeTo(2 * NB2_1K, 9) },
    ]);
    expect(summary.byDay).toEqual([
      { day: '2026-11-20', images: 1, costUsd: expect.closeTo(NB2_1K, 9) },
      { day: '2026-11-21', images: 1, costUsd: expect.closeTo(0.24, 9) },
    ]);
    const everyone = await repo.costSummary({ since: '2026-11-01T00:00:00.000Z' });
    expect(everyone.byModel.reduce((n, m) => n + m.images, 0)).toBe(4);
  });

  test('a user without a budget holds no reservation, and the billed call is still written', async () => {
    const { repo, database } = instances();
    await repo.setBudget('nia', { requestsPerMinute: 5 }, at());
    const result = await reserveAt(repo, 'nia');
    expect(result).toMatchObject({ ok: true, held: false });
    expect(await database.db.selectFrom('spend_reservations').selectAll().execute()).toEqual([]);
    if (!result.ok) throw new Error('refused');
    await repo.settle(result.reservationId, entry('nia'), result.held);
    const rows = await database.db.selectFrom('ledger').select('id').where('owner_id', '=', 'nia').execute();
    expect(rows).toEqual([{ id: result.reservationId }]);
  });

  test('prune deletes old request-log rows and expired reservations', async () => {
    const { repo, database } = instances();
    await repo.setBudget('hal', { requestsPerMinute: 100, dailyUsd: 10 }, at());
    await repo.setBudget('kim', { requestsPerMinute: 100 }, at());
    await repo.admitRequest({ ownerId: 'hal', now: at(0) });
    await repo.admitRequest({ ownerId: 'kim', now: at(120_000) });
    await reserveAt(repo, 'hal', 0, 1_000);
    expect(await repo.prune(at(60_000))).toBe(2);
    expect(await database.db.selectFrom('request_log').select('created_at').execute()).toEqual([
      { created_at: at(120_000) },
    ]);
  });

  test('20 concurrent reservations from two instances never exceed the cap by more than one estimate', async () => {
    const { repo, other, database } = instances();
    const cap = 0.5;
    await repo.setBudget('ivy', { dailyUsd: cap }, at());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reserveAt(i % 2 === 0 ? repo : other, 'ivy', i)),
    );
    const granted = results.filter((r) => r.ok).length;
    expect(granted * NB2_1K).toBeLessThanOrEqual(cap + NB2_1K);
    expect(granted).toBe(Math.floor(cap / NB2_1K));

    // The same with each call settled as it finishes, as the engine does.
    await repo.setBudget('jon', { dailyUsd: cap }, at());
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const instance = i % 2 === 0 ? repo : other;
        const result = await reserveAt(instance, 'jon', i);
        if (!result.ok) return;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        await instance.settle(result.reservationId, entry('jon', { createdAt: at(1_000 + i) }));
      }),
    );
    const billed = await database.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.sum<number>('cost_usd').as('usd'))
      .where('owner_id', '=', 'jon')
      .executeTakeFirstOrThrow();
    expect(Number(billed.usd)).toBeGreaterThan(0);
    expect(Number(billed.usd)).toBeLessThanOrEqual(cap + NB2_1K);
  });
}

describe('spending repository (sqlite)', () => {
  let dir: string;
  let database: Database;
  let repo: SpendingRepository;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ledger-spec-'));
    database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'studio.db') });
    repo = createSpendingRepository(database.db);
  });
  afterEach(async () => {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });
  // One process has one connection to the file (Kysely serializes its transactions); other processes are
  // held off by SQLite's write lock, which the first statement of each spending transaction takes.
  spendingRepositoryContract(() => ({ repo, other: createSpendingRepository(database.db), database }));
});

const PG_URL = process.env.STUDIO_TEST_DATABASE_URL;
describe.skipIf(!PG_URL)('spending repository (postgres; needs STUDIO_TEST_DATABASE_URL)', () => {
  let schema: string;
  let database: Database;
  let second: Database;
  beforeEach(async () => {
    schema = `nbs_ledger_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    database = await openDatabase({ kind: 'postgres', url: PG_URL as string, schema }, { migrate: true });
    second = await openDatabase({ kind: 'postgres', url: PG_URL as string, schema });
  });
  afterEach(async () => {
    await second.close();
    await sql.raw(`drop schema if exists ${schema} cascade`).execute(database.db);
    await database.close();
  });
  spendingRepositoryContract(() => ({
    repo: createSpendingRepository(database.db),
    other: createSpendingRepository(second.db),
    database,
  }));
});

describe('spending guard', () => {
  let dir: string;
  let database: Database;
  let now: Date;
  let guard: SpendingGuard;
  const registry = createModelRegistry();
  const nb2 = registry.resolve('nb2');
  if (!nb2) throw new Error('nb2 is not in the registry');
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'guard-spec-'));
    database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'studio.db') });
    now = NOW;
    guard = new SpendingGuard({
      repo: createSpendingRepository(database.db),
      registry,
      log: silentLogger,
      now: () => now,
    });
  });
  afterEach(async () => {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a budget error names the limit, what is spent, when it resets and what to do', async () => {
    await guard.setBudget('local', { dailyUsd: 0.1 });
    await guard.reserve('local', nb2, '1K');
    const error = await guard.reserve('local', nb2, '1K').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({
      code: 'budget',
      period: 'day',
      limitUsd: 0.1,
      spentUsd: expect.closeTo(NB2_1K, 9),
      resetsAt: '2026-11-22T00:00:00.000Z',
    });
    expect((error as Error).message).toBe(
      'The daily budget of $0.10 for user "local" is reached: $0.0670 is spent or in progress today (UTC) and this call would cost about $0.0670. It resets at UTC midnight (2026-11-22 00:00 UTC, in 14 h 0 min). Wait until then, or ask an admin to raise it (nanobanana-studio budget set --user local --daily USD). This call was not sent to Gemini, so it was not billed.',
    );
  });

  test('a rate-limit error says how long to wait', async () => {
    await guard.setBudget('local', { requestsPerMinute: 1 });
    await guard.admit('local');
    now = new Date(NOW.getTime() + 48_200);
    const error = await guard.admit('local').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 11_800 });
    expect((error as Error).message).toContain('may start 1 image request per minute. Try again in 12 s');
  });

  test('bill: a failed call is released and bills nothing; a successful one is ledgered', async () => {
    await guard.setBudget('local', { dailyUsd: NB2_1K });
    const job = { ownerId: 'local', modelAlias: 'nb2', imageSize: '1K' as const, imageId: 'img_x' };
    const call = { kind: 'generate' as const, pipelineId: 'pl_x' };
    await expect(guard.bill(job, call, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    const usage = { promptTokens: 5, imageTokens: 1120, candidatesTokens: 1120, thoughtsTokens: 3, totalTokens: 1128 };
    await guard.bill(job, call, async () => ({ usage }) as GenerateImageResult);
    const rows = await database.db.selectFrom('ledger').selectAll().execute();
    expect(rows).toEqual([
      expect.objectContaining({ owner_id: 'local', image_id: 'img_x', pipeline_id: 'pl_x', thoughts_tokens: 3 }),
    ]);
    // Exactly the budget is spent: the next call is refused before it runs.
    let ran = false;
    await expect(
      guard.bill(job, call, async () => {
        ran = true;
        return { usage } as GenerateImageResult;
      }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(ran).toBe(false);
  });

  test('setBudget refuses negative amounts and fractional rates', async () => {
    await expect(guard.setBudget('local', { dailyUsd: -1 })).rejects.toThrow(/0 or more/);
    await expect(guard.setBudget('local', { requestsPerMinute: 1.5 })).rejects.toThrow(/whole number/);
  });
});

describe('end to end: budget command, MCP tools and the ledger', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });

  type Result = { content: unknown[]; isError?: boolean };
  const cli = (dataDir: string, args: string[]) =>
    runCli(args, { env: { HOME: process.env.HOME ?? os.homedir(), STUDIO_DATA_DIR: dataDir } });
  const costOf = async (dataDir: string) => {
    const run = await cli(dataDir, ['cost', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { total: { images: number; cost_usd: number } };
  };
  const ledgerOf = async (dataDir: string) => {
    const database = await openDatabase({ kind: 'sqlite', path: path.join(dataDir, 'studio.db') });
    try {
      return {
        rows: await database.db.selectFrom('ledger').selectAll().orderBy('created_at').execute(),
        reservations: await database.db.selectFrom('spend_reservations').selectAll().execute(),
      };
    } finally {
      await database.close();
    }
  };

  describe('with a daily budget', () => {
    let dataDir: string;
    let studio: StudioProcess;
    beforeAll(async () => {
      dataDir = await makeDataDir();
    });
    afterAll(async () => {
      await studio?.close({ removeData: true });
    });
    const generate = (prompt: string) =>
      studio.client.callTool({ name: 'generate_image', arguments: { prompt } }) as Promise<Result>;

    test('budget set --daily, then generate_image until the budget error names the limit and the reset', async () => {
      const set = await cli(dataDir, ['budget', 'set', '--daily', '0.08', '--json']);
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout).budgets[0]).toMatchObject({ user: 'local', daily_usd: 0.08, monthly_usd: null });
      studio = await startStudio('stdio', { dataDir, geminiUrl: emu.url });
      const m = marker('budget');
      const made: string[] = [];
      let refused: Result | undefined;
      for (let i = 0; i < 5 && !refused; i++) {
        const result = await generate(`a paper boat ${i} ${m}`);
        if (result.isError) refused = result;
        else made.push(...idsOf(result));
      }
      // $0.0336 per image: two fit in $0.08, the third would make $0.1008.
      expect(made).toHaveLength(2);
      const message = textOf(refused as Result);
      expect(message).toContain('The daily budget of $0.08 for user "local" is reached: $0.0672 is spent');
      expect(message).toMatch(/resets at UTC midnight \(\d{4}-\d\d-\d\d 00:00 UTC, in \d+ (h|min|s)/);
      expect(message).toContain('ask an admin to raise it');
      const listed = await cli(dataDir, ['budget']);
      expect(listed.stdout).toMatch(/^local {2}daily \$0\.08 \(spent \$0\.0672 today\)/);
    });

    test('an asynchronous batch the budget cannot pay for is refused when submitted, not failed later', async () => {
      const m = marker('async-budget');
      const started = (await studio.client.callTool({
        name: 'generate_image_async',
        arguments: { prompt: `a paper plane ${m}`, n: 2 },
      })) as Result;
      expect(started.isError).toBe(true);
      const message = textOf(started);
      const two = `$${(2 * DEFAULT_1K).toFixed(4)}`;
      expect(message).toContain(
        `${two} is spent or in progress today (UTC) and these 2 image calls would cost about ${two}`,
      );
      expect(message).toContain('Nothing was queued or sent to Gemini');
      // Nothing queued, nothing sent.
      expect(generateRequests(emu, m)).toHaveLength(0);
      const { rows } = await ledgerOf(dataDir);
      expect(rows).toHaveLength(2);
    });

    test('deleting an image does not lower cost (the ledger refunds nothing)', async () => {
      const before = await costOf(dataDir);
      expect(before.total).toEqual({ images: 2, cost_usd: expect.closeTo(2 * DEFAULT_1K, 9) });
      const [row] = (await ledgerOf(dataDir)).rows;
      const database = await openDatabase({ kind: 'sqlite', path: path.join(dataDir, 'studio.db') });
      try {
        expect(await createImageRepository(database.db).delete(row?.image_id as string)).toBe(true);
      } finally {
        await database.close();
      }
      expect((await costOf(dataDir)).total).toEqual(before.total);
    });

    test('the rate limit answers with the wait', async () => {
      const set = await cli(dataDir, ['budget', 'set', '--daily', 'none', '--rpm', '1']);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain('daily none');
      const m = marker('rpm');
      const first = await generate(`a tram ${m}`);
      expect(first.isError, textOf(first)).toBeFalsy();
      const second = await generate(`a tram again ${m}`);
      expect(second.isError).toBe(true);
      expect(textOf(second)).toMatch(/may start 1 image request per minute\. Try again in \d+ s/);
    });
  });

  test('text-model calls (prompt engineering) go into the ledger with their tokens, priced from the settings', async () => {
    const studio = await startStudio('stdio', {
      geminiUrl: emu.url,
      env: { STUDIO_AUTO_STYLE: 'true', STUDIO_TEXT_PRICE_INPUT_PER_M: '1.5', STUDIO_TEXT_PRICE_OUTPUT_PER_M: '10' },
    });
    try {
      const made = (await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: `a kite over dunes ${marker('text-ledger')}` },
      })) as Result;
      expect(made.isError, textOf(made)).toBeFalsy();
      const { rows } = await ledgerOf(studio.dataDir);
      expect(rows.map((r) => r.kind)).toEqual(['text', 'generate']);
      const [text, image] = rows;
      expect(text).toMatchObject({ owner_id: 'local', image_size: null, image_id: null });
      expect(text?.pipeline_id).toBe(image?.pipeline_id);
      expect(text?.prompt_tokens).toBeGreaterThan(0);
      const output = Number(text?.total_tokens) - Number(text?.prompt_tokens);
      expect(output).toBeGreaterThan(0);
      expect(text?.cost_usd).toBeCloseTo((Number(text?.prompt_tokens) * 1.5 + output * 10) / 1e6, 12);
      // The cost counts it; the image count does not.
      const cost = await costOf(studio.dataDir);
      expect(cost.total.images).toBe(1);
      expect(cost.total.cost_usd).toBeCloseTo(DEFAULT_1K + Number(text?.cost_usd), 9);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  test('an enhance the budget has no room for keeps the billed draft instead of losing it', async () => {
    const studio = await startStudio('stdio', { geminiUrl: emu.url });
    try {
      const set = await cli(studio.dataDir, ['budget', 'set', '--daily', '0.05']);
      expect(set.code, set.stderr).toBe(0);
      const made = (await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: `a lighthouse ${marker('enhance-budget')}`, enhance: true },
      })) as Result;
      expect(made.isError, textOf(made)).toBeFalsy();
      expect(idsOf(made)).toHaveLength(1);
      expect(textOf(made)).toContain('Not enhanced: The daily budget of $0.05');
      expect(textOf(made)).toContain('The draft was stored as it is.');
      const { rows } = await ledgerOf(studio.dataDir);
      expect(rows.map((r) => r.kind)).toEqual(['generate']);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  test('a failed enhance pass keeps and returns the billed draft, says why, and the ledger counts only the draft', async () => {
    // Fault injection on the second (enhance) turn only: its prompt is the enhance instruction.
    emu.faults.enqueue({ kind: 'refuse' }, { times: 1, match: { promptIncludes: 'Enhance this image' } });
    const studio = await startStudio('stdio', { geminiUrl: emu.url });
    try {
      const made = (await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: `a windmill ${marker('enhance-fails')}`, enhance: true },
      })) as Result;
      expect(made.isError, textOf(made)).toBeFalsy();
      const [imageId] = idsOf(made);
      expect(imageId).toMatch(/^img_/);
      expect(textOf(made)).toContain('Not enhanced: the enhance pass failed (');
      expect(textOf(made)).toContain('The draft was stored as it is, and only the draft was billed.');
      expect(textOf(made)).not.toContain('No cost was recorded');
      const { rows, reservations } = await ledgerOf(studio.dataDir);
      expect(rows.map((r) => [r.kind, r.image_id])).toEqual([['generate', imageId]]);
      expect(reservations).toEqual([]);
      // The billed image is in the gallery, and the cost says one image.
      const listed = (await studio.client.callTool({ name: 'list_images', arguments: {} })) as Result;
      expect(textOf(listed)).toContain(imageId as string);
      expect((await costOf(studio.dataDir)).total).toEqual({ images: 1, cost_usd: expect.closeTo(DEFAULT_1K, 9) });
    } finally {
      emu.faults.clear();
      await studio.close({ removeData: true });
    }
  });

  test('a cancel during the enhance pass keeps the billed draft (stored, listed, counted once)', async () => {
    const m = marker('enhance-cancel');
    emu.faults.enqueue(
      { kind: 'latency', latencyMs: 4000 },
      { times: 1, match: { promptIncludes: 'Enhance this image' } },
    );
    const studio = await startStudio('stdio', { geminiUrl: emu.url });
    const call = (name: string, args: Record<string, unknown>) =>
      studio.client.callTool({ name, arguments: args }) as Promise<
        Result & { structuredContent?: Record<string, unknown> }
      >;
    try {
      const started = await call('generate_image_async', {
        prompt: `a lantern ${m}`,
        enhance: true,
        auto_style: false,
      });
      const [id] = (started.structuredContent?.pipeline_ids ?? []) as string[];
      for (let i = 0; i < 100; i += 1) {
        const snap = (await call('get_image', { pipeline_id: id })).structuredContent as { stage?: string };
        if (snap.stage === 'enhance-image') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const cancelled = await call('cancel_pipeline', { pipeline_id: id });
      const snapshot = cancelled.structuredContent as { status: string; image?: { id: string } };
      expect(snapshot.status, textOf(cancelled)).toBe('completed');
      expect(textOf(cancelled)).toContain('cancelled during the enhance pass');
      const { rows, reservations } = await ledgerOf(studio.dataDir);
      // The draft once, and the enhance call that was sent and then aborted: Google may bill it (issue 18),
      // so it is in the ledger at its list price, marked, with no image.
      expect(rows.map((r) => [r.kind, r.outcome, r.image_id === null])).toEqual([
        ['generate', null, false],
        ['enhance', 'aborted', true],
      ]);
      expect(generateRequests(emu, m)).toHaveLength(2);
      expect(reservations).toEqual([]);
      const listed = await call('list_images', { search: m });
      expect(textOf(listed)).toContain(rows[0]?.image_id as string);
    } finally {
      emu.faults.clear();
      await studio.close({ removeData: true });
    }
  });

  test('an image made (and billed) that cannot be stored says so, and the ledger still counts it', async () => {
    const studio = await startStudio('stdio', { geminiUrl: emu.url });
    try {
      // The images folder is a file: the blob cannot be written (permissions would not stop root).
      await writeFile(path.join(studio.dataDir, 'images'), 'in the way');
      const failed = (await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: `a kite ${marker('store-fails')}` },
      })) as Result;
      expect(failed.isError).toBe(true);
      expect(textOf(failed)).toContain('The image was made (a billed Gemini call, counted in the cost ledger)');
      expect(textOf(failed)).toContain('but could not be stored');
      const { rows, reservations } = await ledgerOf(studio.dataDir);
      expect(rows.map((r) => r.kind)).toEqual(['generate']);
      expect(reservations).toEqual([]);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  test('ledger rows for generate, enhance and edit; a refused call writes none', async () => {
    const studio = await startStudio('stdio', { geminiUrl: emu.url });
    try {
      const call = (name: string, args: Record<string, unknown>) =>
        studio.client.callTool({ name, arguments: args }) as Promise<Result>;
      const m = marker('ledger');
      const made = await call('generate_image', { prompt: `a brass owl ${m}`, enhance: true });
      expect(made.isError, textOf(made)).toBeFalsy();
      const [imageId] = idsOf(made);
      const edited = await call('edit_image', { image: imageId, instruction: `add snow ${m}` });
      expect(edited.isError, textOf(edited)).toBeFalsy();
      const [editId] = idsOf(edited);
      emu.faults.enqueue({ kind: 'refuse' }, { times: 1, match: { promptIncludes: `${m} refused` } });
      const refused = await call('generate_image', { prompt: `a statue ${m} refused` });
      expect(refused.isError).toBe(true);

      const { rows, reservations } = await ledgerOf(studio.dataDir);
      expect(rows.map((r) => [r.kind, r.image_id])).toEqual([
        ['generate', imageId],
        ['enhance', imageId],
        ['edit', editId],
      ]);
      expect(rows[0]?.pipeline_id).toMatch(/^pl_/);
      expect(rows[1]?.pipeline_id).toBe(rows[0]?.pipeline_id);
      for (const row of rows) {
        expect(row).toMatchObject({ owner_id: 'local', model_alias: 'nb2.1', model_id: 'gemini-nano-banana-2.1' });
        expect(row.cost_usd).toBeCloseTo(DEFAULT_1K, 9);
        expect(row.image_tokens).toBeGreaterThan(0);
      }
      expect(reservations).toEqual([]);
      const cost = await costOf(studio.dataDir);
      expect(cost.total).toEqual({ images: 3, cost_usd: expect.closeTo(3 * DEFAULT_1K, 9) });
    } finally {
      await studio.close({ removeData: true });
    }
  });
});
