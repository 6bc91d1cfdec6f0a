/**
 * A fresh PostgreSQL schema per test file (and the schema the shared queue keeps beside it), dropped at
 * the end. Needs STUDIO_TEST_DATABASE_URL.
 * @module
 */
import os from 'node:os';
import pg from 'pg';

export interface TestSchema {
  name: string;
  /** STUDIO_DATABASE_URL for the studio: the test database, with the schema on the search path. */
  url: string;
  /** A connection as the test's own, for checks in SQL. */
  admin: pg.Client;
  drop(): Promise<void>;
}

export async function createTestSchema(baseUrl: string, label: string): Promise<TestSchema> {
  const name = `nbs_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const adminUrl = new URL(baseUrl);
  // Like libpq (and the store), no user name in the URL means the operating-system user.
  if (!adminUrl.username) adminUrl.username = os.userInfo().username;
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`create schema ${name}`);
  const parsed = new URL(baseUrl);
  parsed.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: parsed.toString(),
    admin,
    async drop() {
      await admin.query(`drop schema if exists ${name} cascade`);
      await admin.query(`drop schema if exists ${name}_queue cascade`);
      await admin.end();
    },
  };
}
