/**
 * A shared database with images in a local folder works only while every instance uses that same
 * folder (one machine, or one shared volume): an image stored by one instance is otherwise "missing
 * from storage" on the others. The folder gets an id (a file in it); the first instance registers the id
 * in the database, and an instance whose folder has another id refuses to start and says which setting
 * is missing.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { ConfigError } from '../core/errors.js';
import { makeFolder } from '../core/makeFolder.js';
import type { DB } from './schema.js';

const ID_FILE = '.studio-folder-id';
const KEY = 'local_blob_folder';

export async function claimLocalBlobFolder(db: Kysely<DB>, dataDir: string, now: string): Promise<void> {
  const folderId = await folderIdOf(dataDir);
  await db
    .insertInto('deployment_settings')
    .values({ key: KEY, value: folderId, updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('deployment_settings').select('value').where('key', '=', KEY).executeTakeFirst();
  if (row && row.value !== folderId) {
    throw new ConfigError(
      [
        `This PostgreSQL database keeps its images in another local folder than ${path.resolve(dataDir)} (folder id ${row.value}; this one is ${folderId}), so images stored by one instance would be missing on the other.`,
        'Instances sharing a database need one image store: set STUDIO_BLOB_URL=s3://bucket/prefix (and STUDIO_S3_ENDPOINT for an S3-compatible store) on every instance, or point STUDIO_DATA_DIR at the same shared folder.',
        `If this folder replaced the old one on purpose (its images copied here), forget the old one: delete from deployment_settings where key = '${KEY}';`,
      ].join(' '),
    );
  }
}

async function folderIdOf(dataDir: string): Promise<string> {
  const file = path.join(dataDir, ID_FILE);
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (id) return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await makeFolder(dataDir);
  const id = randomUUID();
  // `wx`: two instances starting together on one folder keep the first id written.
  await writeFile(file, `${id}\n`, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}
