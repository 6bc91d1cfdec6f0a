/** Reading the studio's multipart forms: dropped files and repeated fields (`name[]`). */
import type { DashboardContext } from '../dashboardEnv.js';
import type { UploadedFile } from './submit.js';

/** Files posted under `files[]` (the form's drop zone). */
export async function filesOf(c: DashboardContext): Promise<UploadedFile[]> {
  const body = await c.req.parseBody();
  const raw = body['files[]'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const files: UploadedFile[] = [];
  for (const item of list) {
    if (typeof item === 'string' || item.size === 0) continue;
    files.push({ name: item.name, type: item.type, data: Buffer.from(await item.arrayBuffer()) });
  }
  return files;
}

export async function listField(c: DashboardContext, name: string): Promise<string[]> {
  const raw = (await c.req.parseBody())[name];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.filter((v): v is string => typeof v === 'string');
}
