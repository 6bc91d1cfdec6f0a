/**
 * Doctor: is the data folder a folder this user can write to (created when missing).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../../../core/makeFolder.js';
import type { Check, DoctorCheck } from './check.js';

export const dataFolderCheck: DoctorCheck = {
  name: 'Data folder',
  run: ({ config }) => checkDataFolder(config.dataDir),
};

async function checkDataFolder(dir: string): Promise<Check> {
  const base = { id: 'data-folder', name: 'Data folder' };
  const fix = `Make ${dir} a folder you can write to (check its owner and permissions), or choose another with --data-dir or STUDIO_DATA_DIR.`;
  let created = false;
  try {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info !== undefined && !info.isDirectory()) {
      return { ...base, status: 'fail', detail: `${dir} exists but is not a folder`, fix };
    }
    if (info === undefined) {
      await makeFolder(dir);
      created = true;
    }
    const probe = path.join(dir, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(probe, 'nanobanana-studio doctor\n', { flag: 'wx' });
    await unlink(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ...base, status: 'fail', detail: `${dir} is not writable (${code ?? (error as Error).message})`, fix };
  }
  return { ...base, status: 'ok', detail: `${dir} is writable${created ? ' (created now)' : ''}` };
}
