/**
 * The places a local server never reads or writes on a person's behalf, even inside an allowed folder:
 * hidden files and folders (`~/.ssh`, `~/.aws`, `~/.config`, a project's `.env` or `.git`), key and
 * credential files, the OS's per-app stores (`~/Library`, `AppData`), and system folders (`/proc`, `/etc`,
 * …). A folder the person names explicitly (STUDIO_ALLOWED_ROOTS, a client root) may sit inside one of
 * these: only what lies below the allowed folder is judged.
 * @module
 */
import path from 'node:path';
import { isInside } from './pathMath.js';

const KEY_FILE_NAMES = new Set([
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'id_ecdsa_sk',
  'id_ed25519_sk',
  'authorized_keys',
  'known_hosts',
  'credentials',
  'credentials.json',
  'secrets.json',
  'service-account.json',
  'keychain',
]);
const KEY_FILE_EXTENSIONS = new Set([
  '.pem',
  '.key',
  '.p12',
  '.pfx',
  '.jks',
  '.keystore',
  '.kdbx',
  '.gpg',
  '.ppk',
  '.keychain',
  '.keychain-db',
]);
/** Per-application stores under the home folder (macOS, Windows): keychains, cookies, tokens. */
const APP_STORES = new Set(['library', 'appdata']);
const SYSTEM_FOLDERS = [
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/boot',
  '/run',
  '/var/run',
  '/var/lib',
  '/private/etc',
  '/private/var',
  'C:\\Windows',
];

/** Why `absolute` (below `root`) is a sensitive place, or undefined when it is not. */
export function sensitiveReason(
  absolute: string,
  root: string,
  options: { explicitRoot: boolean },
): string | undefined {
  const below = path.relative(root, absolute).split(/[/\\]/).filter(Boolean);
  const hidden = below.find((part) => part.startsWith('.') && part !== '.' && part !== '..');
  if (hidden !== undefined) return `"${hidden}" is a hidden file or folder`;
  if (!options.explicitRoot && below[0] !== undefined && APP_STORES.has(below[0].toLowerCase())) {
    return `"${below[0]}" holds applications' private data`;
  }
  const name = path.basename(absolute).toLowerCase();
  if (KEY_FILE_NAMES.has(name) || KEY_FILE_EXTENSIONS.has(path.extname(name))) {
    return `"${path.basename(absolute)}" looks like a key or credential file`;
  }
  for (const system of SYSTEM_FOLDERS) {
    if (isInside(absolute, system) && !(options.explicitRoot && isInside(root, system))) {
      return `${system} is a system folder`;
    }
  }
  return undefined;
}

/** One sentence for tool descriptions and errors. */
export const SENSITIVE_RULE =
  'hidden files and folders (~/.ssh, ~/.aws, ~/.config, .env), key and credential files, and system folders (/etc, /proc) are always refused';
