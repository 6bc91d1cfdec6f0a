/**
 * `nanobanana-studio install <client>`: adds (or updates) this server in an MCP client's user
 * configuration, keeping every other server and setting, with a timestamped backup of the old file.
 * `--print` only prints the snippet; `--dry-run` shows the change without writing.
 * @module
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT } from '../exitCodes.js';
import { CLIENT_IDS, type ClientDef, findClient, type ServerSpec } from '../install/clients.js';
import { backup, diffText, readIfExists, writeAtomic } from '../install/files.js';
import { JsonShapeError, JsonSyntaxError } from '../install/jsonc.js';
import { chooseLauncher, type Launcher, localLauncher, npxLauncher } from '../install/launcher.js';
import { type MergeResult, mergeJsonServer, readJsonServers } from '../install/mergeJson.js';
import { mergeTomlServer, readTomlServers, TomlError, TomlShapeError, tomlBlock } from '../install/mergeToml.js';

const HELP = `Usage: nanobanana-studio install <client> [options]

Adds this MCP server to a client's user configuration (or updates it), keeping every other server and
setting, with a backup of the previous file next to it (<file>.bak-YYYYMMDD-HHMMSS).

Clients: ${CLIENT_IDS.join(', ')}

Options:
  --api-key KEY        Gemini API key to store in the entry. Default: GEMINI_API_KEY or GOOGLE_API_KEY from
                       this shell (not with --emulator), else the key already in the entry; VS Code
                       otherwise asks for it once and keeps it in its secret storage.
  --name NAME          Server name in the client (default nanobanana).
  --emulator           Start the server in offline emulator mode (synthetic images, no key).
                       By default the entry runs \`npx -y nanobanana-studio\` when the package registry has it
                       (checked with \`npm view\`), and otherwise this installation (node + its absolute path);
                       the output says which it chose.
  --local              Run this installation (node + its absolute path), whatever the registry has.
  --npx                Run \`npx -y nanobanana-studio\`, whatever the registry has.
  --url URL            Connect to a server already running (\`nanobanana-studio serve\`) at URL, e.g.
                       http://127.0.0.1:8766/mcp, written in the client's own remote format.
  --command CMD        Command the client runs instead.
  --args ARGS          Its arguments: a JSON array, or words separated by spaces.
  --env NAME=VALUE     Extra environment for the server (repeatable), e.g. --env STUDIO_DEFAULT_MODEL=pro.
  --file PATH          Write this file instead of the client's user configuration (e.g. a project's
                       .vscode/mcp.json or .cursor/mcp.json).
  --print              Print the snippet for the client; write nothing.
  --dry-run            Show the change as a diff; write nothing.
  -h, --help           Show this help.`;

const OPTIONS = {
  'api-key': { type: 'string' },
  name: { type: 'string' },
  emulator: { type: 'boolean' },
  local: { type: 'boolean' },
  npx: { type: 'boolean' },
  url: { type: 'string' },
  command: { type: 'string' },
  args: { type: 'string' },
  env: { type: 'string', multiple: true },
  file: { type: 'string' },
  print: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const KEY_VAR = 'GEMINI_API_KEY';
const VSCODE_INPUT_ID = 'gemini-api-key';

class UsageError extends Error {}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await install(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nanobanana-studio install: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`nanobanana-studio install: ${(error as Error).message}\n`);
    return EXIT.internal;
  }
}

async function install(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See nanobanana-studio install --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const [clientName, ...extra] = positionals;
  if (clientName === undefined) throw new UsageError(`which client? Clients: ${CLIENT_IDS.join(', ')}.`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra.join(' ')}". Name one client.`);
  const client = findClient(clientName);
  if (client === undefined) {
    throw new UsageError(`unknown client "${clientName}". Clients: ${CLIENT_IDS.join(', ')}.`);
  }
  const name = values.name ?? 'nanobanana';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(name)) {
    throw new UsageError(`--name "${name}": use up to 40 letters, digits, "-" or "_".`);
  }
  const remote = remoteUrl(values);
  const { spec, launcher } = remote === undefined ? await serverSpec(values, env) : remoteSpec();
  const key = remote === undefined ? keyFrom(values['api-key'], values.emulator ? {} : env) : { source: 'remote' };
  const platform = process.platform;

  if (values.print) {
    if (key.value !== undefined) spec.env[KEY_VAR] = key.value;
    else if (!values.emulator && remote === undefined && client.promptsForKey) {
      spec.env[KEY_VAR] = `\${input:${VSCODE_INPUT_ID}}`;
    }
    const entry = remote === undefined ? client.entry(spec, platform) : client.remoteEntry(remote);
    process.stdout.write(snippet(client, name, entry, spec.env[KEY_VAR]?.startsWith('${input:') === true));
    const target = values.file ?? client.configPath({ env, platform });
    process.stderr.write(
      `Merge this into ${target} (under "${client.serversKey}"), or run without --print to have it done for you.\n`,
    );
    if (launcher !== undefined)
      process.stderr.write(`Runs ${launcher.kind === 'npx' ? 'npx' : 'this installation'}: ${launcher.reason}.\n`);
    if (key.source === 'none' && !values.emulator && !client.promptsForKey) process.stderr.write(`${noKeyNote()}\n`);
    return EXIT.ok;
  }

  const file = path.resolve(values.file ?? client.configPath({ env, platform }));
  const before = await readIfExists(file);
  let servers: Record<string, unknown>;
  try {
    servers =
      client.format === 'toml'
        ? readTomlServers(before, client.serversKey)
        : readJsonServers(before, client.serversKey);
  } catch (error) {
    throw unreadable(file, error);
  }
  const previous = servers[name];
  const others = Object.keys(servers).filter((n) => n !== name);

  // The key: --api-key, else this shell's environment, else the one already in our entry.
  const previousEnv = envOf(previous);
  let keySource = key.source;
  if (remote !== undefined) {
    // The server at the URL holds the key; nothing of the old entry's environment belongs to it.
  } else if (key.value !== undefined) spec.env[KEY_VAR] = key.value;
  else if (previousEnv[KEY_VAR] !== undefined && !previousEnv[KEY_VAR].startsWith('${input:')) {
    spec.env[KEY_VAR] = previousEnv[KEY_VAR];
    keySource = 'kept from the previous entry';
  } else if (!values.emulator && client.promptsForKey) {
    spec.env[KEY_VAR] = `\${input:${VSCODE_INPUT_ID}}`;
    keySource = 'prompt';
  }
  // Other variables someone added to our entry by hand stay, unless set again here.
  const keptEnv = remote === undefined ? Object.keys(previousEnv).filter((k) => k !== KEY_VAR && !(k in spec.env)) : [];
  spec.env = { ...Object.fromEntries(keptEnv.map((k) => [k, previousEnv[k] as string])), ...spec.env };
  const entry = remote === undefined ? client.entry(spec, platform) : client.remoteEntry(remote);

  let merged: MergeResult;
  try {
    merged =
      client.format === 'toml'
        ? mergeTomlServer({ text: before, serversKey: client.serversKey, name, entry })
        : mergeJsonServer({
            text: before,
            serversKey: client.serversKey,
            name,
            entry,
            strictJson: client.strictJson,
            ...(keySource === 'prompt' ? { input: vscodeKeyInput() } : {}),
          });
  } catch (error) {
    throw unreadable(file, error);
  }

  const out = process.stdout;
  if (merged.text === before) {
    out.write(`${client.label}: "${name}" is already set up in ${file}; nothing to change.\n`);
    return EXIT.ok;
  }
  if (values['dry-run']) {
    out.write(`${client.label}: ${file} would change like this (nothing was written):\n\n`);
    out.write(`${diffText(before ?? '', merged.text)}\n`);
    if (merged.note) out.write(`\nNote: ${merged.note}\n`);
    return EXIT.ok;
  }

  const backupFile = before === undefined ? undefined : await backup(file);
  // A new file holding a key is readable only by its owner.
  await writeAtomic(file, merged.text, spec.env[KEY_VAR] !== undefined ? 0o600 : 0o644);

  const what = previous === undefined ? `added server "${name}"` : `replaced server "${name}"`;
  out.write(`${client.label}: ${what} in ${file}\n`);
  out.write(`  ${before === undefined ? 'Created the file.' : `Kept ${describeOthers(others)}.`}\n`);
  if (backupFile !== undefined) out.write(`  Backup of the previous file: ${backupFile}\n`);
  if (remote !== undefined && entry.command === undefined) out.write(`  Connects to: ${remote}\n`);
  else out.write(`  Runs: ${[entry.command, ...((entry.args as string[] | undefined) ?? [])].join(' ')}\n`);
  if (launcher !== undefined) {
    out.write(`  Chose ${launcher.kind === 'npx' ? 'npx' : 'this installation'}: ${launcher.reason}.\n`);
  }
  if (keptEnv.length > 0) out.write(`  Kept from the previous entry: ${keptEnv.join(', ')}\n`);
  if (remote === undefined) out.write(`  ${keyLine(keySource, values.emulator === true)}\n`);
  else out.write('  The server at that URL uses its own Gemini key; with sign-in on, the client signs you in.\n');
  if (merged.note) out.write(`  Note: ${merged.note}\n`);
  out.write(`Next: ${client.restart}\n`);
  return EXIT.ok;
}

/** The URL of --url, checked, or undefined; it cannot be combined with what starts a local server. */
function remoteUrl(values: Record<string, unknown>): string | undefined {
  if (typeof values.url !== 'string') return undefined;
  const clash = ['api-key', 'emulator', 'local', 'npx', 'command', 'args', 'env'].filter(
    (k) => values[k] !== undefined,
  );
  if (clash.length > 0) {
    throw new UsageError(
      `--url connects to a server that is already running; ${clash.map((k) => `--${k}`).join(', ')} belong${clash.length === 1 ? 's' : ''} to that server's own start (nanobanana-studio serve).`,
    );
  }
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(
      `--url "${values.url}" is not a URL; give the server's MCP endpoint, e.g. http://127.0.0.1:8766/mcp.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be http:// or https://, got "${values.url}".`);
  }
  return url.href;
}

function remoteSpec(): { spec: ServerSpec; launcher?: Launcher } {
  return { spec: { command: '', args: [], env: {} } };
}

async function serverSpec(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<{ spec: ServerSpec; launcher?: Launcher }> {
  const forced = ['local', 'npx', 'command'].filter((k) => values[k] !== undefined);
  if (forced.length > 1)
    throw new UsageError(`use one of --local, --npx and --command, not ${forced.map((k) => `--${k}`).join(' and ')}.`);
  let launcher: Launcher | undefined;
  let command: string;
  let args: string[];
  try {
    if (values.local) launcher = localLauncher('--local');
    else if (values.npx) launcher = npxLauncher('--npx');
    else if (typeof values.command !== 'string') launcher = await chooseLauncher(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (launcher !== undefined) {
    command = launcher.command;
    args = [...launcher.args];
  } else {
    command = values.command as string;
    args = [];
  }
  if (typeof values.args === 'string') args = parseArgList(values.args);
  if (values.emulator && !args.includes('--emulator')) args.push('--emulator');
  const extraEnv: Record<string, string> = {};
  for (const pair of (values.env as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env "${pair}": use NAME=VALUE.`);
    extraEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { spec: { command, args, env: extraEnv }, ...(launcher === undefined ? {} : { launcher }) };
}

function parseArgList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`--args is not a valid JSON array: ${(error as Error).message}.`);
    }
    if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) {
      throw new UsageError('--args must be a JSON array of strings.');
    }
    return list;
  }
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

interface KeyChoice {
  value?: string;
  source: string;
}

function keyFrom(flag: string | undefined, env: NodeJS.ProcessEnv): KeyChoice {
  const clean = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);
  const fromFlag = clean(flag);
  if (flag !== undefined && fromFlag === undefined) throw new UsageError('--api-key is empty.');
  if (fromFlag !== undefined) return { value: fromFlag, source: '--api-key' };
  for (const name of ['GEMINI_API_KEY', 'GOOGLE_API_KEY']) {
    const value = clean(env[name]);
    if (value !== undefined) return { value, source: `${name} from this shell` };
  }
  return { source: 'none' };
}

function envOf(entry: unknown): Record<string, string> {
  const env = (entry as { env?: unknown } | undefined)?.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return {};
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function vscodeKeyInput(): { id: string } & Record<string, unknown> {
  return {
    type: 'promptString',
    id: VSCODE_INPUT_ID,
    description: 'Gemini API key (nanobanana-studio)',
    password: true,
  };
}

function noKeyNote(): string {
  return `No Gemini API key given (--api-key, or ${KEY_VAR} in this shell): the server starts, and every generation explains how to set the key. Run this again with --api-key, or use --emulator to try it offline. Get a key at https://aistudio.google.com/apikey.`;
}

function keyLine(source: string, emulator: boolean): string {
  if (source === 'prompt') {
    return `${KEY_VAR}: VS Code asks for it the first time it starts the server and keeps it in its secret storage.`;
  }
  if (source === 'none') return emulator ? `${KEY_VAR}: not needed in emulator mode.` : `Note: ${noKeyNote()}`;
  return `${KEY_VAR}: stored in the entry (${source}).`;
}

function describeOthers(others: string[]): string {
  if (others.length === 0) return 'every other setting (no other servers)';
  const shown = others.slice(0, 8).join(', ');
  const more = others.length > 8 ? ` and ${others.length - 8} more` : '';
  return `${others.length} other server${others.length === 1 ? '' : 's'} (${shown}${more}) and every other setting`;
}

function snippet(client: ClientDef, name: string, entry: Record<string, unknown>, prompt: boolean): string {
  if (client.format === 'toml') return tomlBlock(client.serversKey, name, entry);
  const doc: Record<string, unknown> = { [client.serversKey]: { [name]: entry } };
  if (prompt) doc.inputs = [vscodeKeyInput()];
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A configuration we must not touch: say where and why, and that it was left as it was. */
function unreadable(file: string, error: unknown): Error {
  const kept =
    'The file was not changed. Fix it (or move it aside) and run this again, or use --print and merge the snippet by hand.';
  if (error instanceof JsonSyntaxError) {
    return new UsageError(`${file} is not valid JSON: ${error.message}. ${kept}`);
  }
  if (error instanceof TomlError) {
    return new UsageError(
      `${file} is not valid TOML: ${error.message.split('\n')[0]} (line ${error.line}, column ${error.column}). ${kept}`,
    );
  }
  if (error instanceof JsonShapeError || error instanceof TomlShapeError) {
    return new UsageError(`${file}: ${error.message}. ${kept}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
