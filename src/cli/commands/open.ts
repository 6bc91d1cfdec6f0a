/**
 * `nanobanana-studio open ID [--print]`: shows an image in the system's viewer (xdg-open, open, start),
 * or prints its path.
 * @module
 */
import { spawn } from 'node:child_process';
import { access, lstat, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError, NotFoundError } from '../../core/errors.js';
import { makeFolder } from '../../core/makeFolder.js';
import { COMMON_HELP, COMMON_OPTIONS, PROGRAM, runCommand, withStudio } from './commandRuntime.js';
import { stderrLine } from './progress.js';

const OPTIONS = { ...COMMON_OPTIONS, print: { type: 'boolean', short: 'p' } } as const;

const HELP = `Usage: ${PROGRAM} open ID [options]

Opens the image with this id (img_…) in the system's image viewer, without waiting for it.

Options:
  -p, --print        Only print the absolute path of the file.
${COMMON_HELP}

Example:
  ${PROGRAM} open img_01jc3v… --print`;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'open', help: HELP, options: OPTIONS, positionals: { min: 1, max: 1 } },
    async ({ values, positionals }) => {
      const id = (positionals[0] ?? '').trim();
      const file = await withStudio(values, { gemini: false }, async ({ studio, caller }) => {
        const record = await studio.get(id, caller);
        const local = studio.localPath(record);
        if (local) {
          if (!(await exists(local))) {
            throw new NotFoundError(`The file of image ${record.id} is missing from the data folder.`);
          }
          return local;
        }
        // Object storage (S3): a copy in the person's own temporary folder, made once per image (the bytes
        // never change). Not a shared folder: anyone on the machine could plant a file or a link there.
        const copy = path.join(await privateTempFolder(), path.basename(record.blobKey));
        if (!(await exists(copy))) {
          const temp = `${copy}.tmp-${process.pid}`;
          await writeFile(temp, await studio.readImage(record), { flag: 'wx', mode: 0o600 });
          await rename(temp, copy);
        }
        return copy;
      });
      if (values.print) {
        process.stdout.write(`${file}\n`);
        return 0;
      }
      const viewer = viewerFor(process.platform, file);
      if (await launch(viewer.command, viewer.args)) {
        stderrLine(`Opened ${file}`);
      } else {
        stderrLine(`${PROGRAM}: no image viewer found (${viewer.command}). The image is at:`);
        process.stdout.write(`${file}\n`);
      }
      return 0;
    },
  );
}

function viewerFor(platform: NodeJS.Platform, file: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [file] };
  // `start` is a cmd built-in; its first quoted argument is a window title (an empty one, quoted by Node).
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '', file] };
  return { command: 'xdg-open', args: [file] };
}

/** Starts the viewer detached, so this command exits at once; false when it cannot be started. */
function launch(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true });
    } catch {
      resolve(false);
      return;
    }
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** `nanobanana-studio-<uid>` in the temporary folder: made private (0700), and refused unless it is ours. */
async function privateTempFolder(): Promise<string> {
  const uid = process.getuid?.();
  const folder = path.join(os.tmpdir(), `nanobanana-studio-${uid ?? os.userInfo().username}`);
  await makeFolder(folder, { mode: 0o700 });
  const info = await lstat(folder);
  const shared = process.platform !== 'win32' && (info.mode & 0o077) !== 0;
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || shared) {
    throw new AppError(
      `${folder} is not a private folder of yours (someone else may have made it, or others may write to it). Remove it, then try again.`,
    );
  }
  return folder;
}
