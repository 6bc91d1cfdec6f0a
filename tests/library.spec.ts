/**
 * What people keep in the studio (palettes, styles, templates: core/library.ts over store/libraryRepository.ts),
 * on the embedded SQLite database and, with STUDIO_TEST_DATABASE_URL, on PostgreSQL (a fresh schema, migration
 * 0011 applied): a person sees their own and the team's, never another person's; only admins make team items;
 * saving under an existing name replaces it; templates' parameters and MCP prompt names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LibraryShelf } from '../src/core/library.js';
import { parsePalette } from '../src/core/palette.js';
import { fillTemplate, promptNameOf, templateParameters } from '../src/core/templates.js';
import { createLibraryRepository, type Database, newId, openDatabase } from '../src/store/index.js';

const alice = { ownerId: 'u_alice' };
const bob = { ownerId: 'u_bob' };
const admin = { ownerId: 'u_admin', isAdmin: true };

function contract(db: () => Database) {
  const shelf = () =>
    new LibraryShelf(
      createLibraryRepository(db().db),
      'palette',
      (body) => ({ colours: parsePalette((body as { colours: string[] }).colours) }),
      () => newId('lib_'),
    );

  test('a person sees their own and the team’s palettes, never another person’s', async () => {
    const palettes = shelf();
    await palettes.save({ name: 'Brand', value: { colours: ['#e4572e'] } }, alice);
    await palettes.save({ name: 'Brand', value: { colours: ['#00ff00'] } }, bob);
    await palettes.save({ name: 'Team colours', value: { colours: ['#29335C'] }, scope: 'team' }, admin);
    const mine = await palettes.list(alice);
    expect(mine.map((p) => [p.name, p.scope, p.value.colours])).toEqual([
      ['Brand', 'person', ['#E4572E']],
      ['Team colours', 'team', ['#29335C']],
    ]);
    expect((await palettes.find('brand', bob)).value.colours).toEqual(['#00FF00']);
    await expect(palettes.find('Nope', alice)).rejects.toThrow(/No palette named "Nope"\. Yours: Brand, Team colours/);
    const alices = mine[0]?.id as string;
    await expect(palettes.delete(alices, bob)).rejects.toThrow(/No palette with id/);
    await expect(palettes.save({ id: alices, name: 'Stolen', value: { colours: ['#000000'] } }, bob)).rejects.toThrow(
      /No palette with id/,
    );
  });

  test('only admins make or change team items; saving under a taken name replaces the colours', async () => {
    const palettes = shelf();
    await expect(palettes.save({ name: 'T', value: { colours: ['#111111'] }, scope: 'team' }, alice)).rejects.toThrow(
      /Only an admin/,
    );
    const first = await palettes.save({ name: 'Mine', value: { colours: ['#111111'] } }, alice);
    const again = await palettes.save({ name: 'Mine', value: { colours: ['#222222'] } }, alice);
    expect(again.id).toBe(first.id);
    expect((await palettes.list(alice)).map((p) => p.value.colours)).toEqual([['#222222']]);
    const renamed = await palettes.save({ id: first.id, name: 'Renamed', value: { colours: ['#333333'] } }, alice);
    expect(renamed.name).toBe('Renamed');
    await expect(palettes.save({ name: '../x', value: { colours: ['#111111'] } }, alice)).rejects.toThrow(
      /not a usable name/,
    );
    await expect(palettes.save({ name: 'Bad', value: { colours: ['red'] } }, alice)).rejects.toThrow(
      /not a hex colour/,
    );
    await palettes.delete(first.id, alice);
    expect(await palettes.list(alice)).toEqual([]);
  });
}

describe('library (sqlite)', () => {
  let dir: string;
  let database: Database;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-lib-'));
    database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'studio.db') });
  });
  afterEach(async () => {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });
  contract(() => database);
});

const PG_URL = process.env.STUDIO_TEST_DATABASE_URL;
describe.skipIf(!PG_URL)('library (postgres; needs STUDIO_TEST_DATABASE_URL)', () => {
  let schema: string;
  let database: Database;
  beforeEach(async () => {
    schema = `nbs_lib_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    database = await openDatabase({ kind: 'postgres', url: PG_URL as string, schema }, { migrate: true });
  });
  afterEach(async () => {
    await sql.raw(`drop schema if exists ${schema} cascade`).execute(database.db);
    await database.close();
  });
  contract(() => database);
});

describe('templates', () => {
  test('named parameters: required, defaults with suggestions, filled in order', () => {
    const text = 'A {{subject}} in {{ mood = calm | bold }} light, {{subject}} again';
    expect(templateParameters(text)).toEqual([
      { name: 'subject', required: true, suggestions: [] },
      { name: 'mood', required: false, default: 'calm', suggestions: ['calm', 'bold'] },
    ]);
    expect(fillTemplate(text, { subject: 'kite' })).toBe('A kite in calm light, kite again');
    expect(fillTemplate(text, { subject: 'kite', mood: 'stormy' })).toBe('A kite in stormy light, kite again');
    expect(() => fillTemplate(text, {})).toThrow('Missing template argument(s): subject.');
    expect(promptNameOf('Spring Hero!')).toBe('my_spring_hero');
  });
});
