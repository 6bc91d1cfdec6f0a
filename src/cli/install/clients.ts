/**
 * The MCP clients `install` knows: where each keeps its user-level server list on each OS, under which
 * key, what one entry looks like there, and how to make the client pick a change up.
 * @module
 */
import os from 'node:os';
import path from 'node:path';

export const CLIENT_IDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'codex', 'gemini-cli'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** Other spellings people type. */
const ALIASES: Record<string, ClientId> = {
  claude: 'claude-desktop',
  'claude-app': 'claude-desktop',
  'claude-cli': 'claude-code',
  'vs-code': 'vscode',
  code: 'vscode',
  'codex-cli': 'codex',
  gemini: 'gemini-cli',
};

export function findClient(name: string): ClientDef | undefined {
  const id = (CLIENT_IDS as readonly string[]).includes(name) ? (name as ClientId) : ALIASES[name.toLowerCase()];
  return id === undefined ? undefined : CLIENTS[id];
}

/** What the server entry runs, before a client's own shape is applied. */
export interface ServerSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface PathContext {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

export interface ClientDef {
  id: ClientId;
  label: string;
  format: 'json' | 'toml';
  /** The client reads its file with a plain JSON parser: comments or trailing commas would break it. */
  strictJson: boolean;
  /** Top-level key holding the servers (`mcpServers`, `servers`, `mcp_servers`). */
  serversKey: string;
  /** VS Code can prompt for the key and keep it in its secret storage (an `inputs` entry). */
  promptsForKey: boolean;
  configPath(ctx: PathContext): string;
  /** The entry as the client expects it. */
  entry(spec: ServerSpec, platform: NodeJS.Platform): Record<string, unknown>;
  /** An entry for a server already running at `url` (Streamable HTTP), in the client's own format. */
  remoteEntry(url: string): Record<string, unknown>;
  /** How to make the client load the change. */
  restart: string;
}

/** The home folder, from the environment first so that tests (and `HOME=… install`) can move it. */
export function homeDir(ctx: PathContext): string {
  const fromEnv = ctx.platform === 'win32' ? (ctx.env.USERPROFILE ?? ctx.env.HOME) : ctx.env.HOME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : os.homedir();
}

/** Per-user application settings: `%APPDATA%`, `~/Library/Application Support` or `$XDG_CONFIG_HOME`. */
function appConfigDir(ctx: PathContext): string {
  const p = ctx.platform === 'win32' ? path.win32 : path.posix;
  const home = homeDir(ctx);
  if (ctx.platform === 'win32') return ctx.env.APPDATA || p.join(home, 'AppData', 'Roaming');
  if (ctx.platform === 'darwin') return p.join(home, 'Library', 'Application Support');
  const xdg = ctx.env.XDG_CONFIG_HOME;
  return xdg && p.isAbsolute(xdg) ? xdg : p.join(home, '.config');
}

function join(ctx: PathContext, ...parts: string[]): string {
  return (ctx.platform === 'win32' ? path.win32 : path.posix).join(...parts);
}

/** Plain `command`/`args`/`env`, leaving `env` out when empty. */
function plain(spec: ServerSpec): Record<string, unknown> {
  return {
    command: spec.command,
    args: spec.args,
    ...(Object.keys(spec.env).length === 0 ? {} : { env: spec.env }),
  };
}

export const CLIENTS: Record<ClientId, ClientDef> = {
  'claude-desktop': {
    id: 'claude-desktop',
    label: 'Claude Desktop',
    format: 'json',
    strictJson: true,
    serversKey: 'mcpServers',
    promptsForKey: false,
    configPath: (ctx) => join(ctx, appConfigDir(ctx), 'Claude', 'claude_desktop_config.json'),
    entry: (spec) => plain(spec),
    // Its config file starts local commands only (remote servers are added as connectors in its
    // settings, reached from Anthropic's cloud, which cannot see a loopback URL): mcp-remote bridges
    // stdio to the URL, as the MCP docs for Claude Desktop suggest.
    remoteEntry: (url) => ({ command: 'npx', args: ['-y', 'mcp-remote', url] }),
    restart:
      'Quit Claude Desktop completely (File → Quit, or the tray icon; closing the window is not enough) and open it again.',
  },
  'claude-code': {
    id: 'claude-code',
    label: 'Claude Code',
    format: 'json',
    strictJson: true,
    serversKey: 'mcpServers',
    promptsForKey: false,
    // User scope: every project. CLAUDE_CONFIG_DIR moves the whole configuration.
    configPath: (ctx) =>
      ctx.env.CLAUDE_CONFIG_DIR
        ? join(ctx, ctx.env.CLAUDE_CONFIG_DIR, '.claude.json')
        : join(ctx, homeDir(ctx), '.claude.json'),
    entry: (spec, platform) => {
      // Native Windows cannot start `npx` (a .cmd script) without a shell.
      const wrapped =
        platform === 'win32' && spec.command === 'npx'
          ? { ...spec, command: 'cmd', args: ['/c', 'npx', ...spec.args] }
          : spec;
      return { type: 'stdio', ...plain(wrapped) };
    },
    // https://code.claude.com/docs/en/mcp: { "type": "http", "url": "https://example.com/mcp" }
    remoteEntry: (url) => ({ type: 'http', url }),
    restart:
      'Exit Claude Code and start it again (a running session rewrites ~/.claude.json; if the server is missing, run this command again with Claude Code closed). Check with /mcp. For long renders (Pro, 4K) start it with MCP_TOOL_TIMEOUT=300000.',
  },
  cursor: {
    id: 'cursor',
    label: 'Cursor',
    format: 'json',
    strictJson: true,
    serversKey: 'mcpServers',
    promptsForKey: false,
    configPath: (ctx) => join(ctx, homeDir(ctx), '.cursor', 'mcp.json'),
    entry: (spec) => plain(spec),
    // https://cursor.com/docs/mcp: a remote server is { "url": … } (Streamable HTTP or SSE, told apart by Cursor).
    remoteEntry: (url) => ({ url }),
    restart:
      'Open Cursor Settings → MCP (Tools & Integrations) and check that the server is on; restart Cursor if it does not appear.',
  },
  vscode: {
    id: 'vscode',
    label: 'VS Code',
    format: 'json',
    strictJson: false,
    serversKey: 'servers',
    promptsForKey: true,
    configPath: (ctx) => join(ctx, appConfigDir(ctx), 'Code', 'User', 'mcp.json'),
    entry: (spec) => ({ type: 'stdio', ...plain(spec) }),
    // https://code.visualstudio.com/docs/agents/reference/mcp-configuration: "servers": { name: { "type": "http", "url": … } }
    remoteEntry: (url) => ({ type: 'http', url }),
    restart:
      'VS Code reloads mcp.json by itself: run "MCP: List Servers" from the Command Palette and start the server (restart VS Code if it does not show).',
  },
  codex: {
    id: 'codex',
    label: 'Codex',
    format: 'toml',
    strictJson: false,
    serversKey: 'mcp_servers',
    promptsForKey: false,
    configPath: (ctx) =>
      ctx.env.CODEX_HOME
        ? join(ctx, ctx.env.CODEX_HOME, 'config.toml')
        : join(ctx, homeDir(ctx), '.codex', 'config.toml'),
    // The first `npx` download can take longer than Codex's 10 s start-up default, and a render longer
    // than its 60 s tool default.
    entry: (spec) => ({ ...plain(spec), startup_timeout_sec: 60, tool_timeout_sec: 300 }),
    // Streamable HTTP: [mcp_servers.<name>] url = "…" (openai/codex#4317; Codex refuses url mixed with
    // command or env).
    remoteEntry: (url) => ({ url, tool_timeout_sec: 300 }),
    restart: 'Start a new Codex session (the CLI, the IDE extension and the app share this file) and check with /mcp.',
  },
  'gemini-cli': {
    id: 'gemini-cli',
    label: 'Gemini CLI',
    format: 'json',
    strictJson: false,
    serversKey: 'mcpServers',
    promptsForKey: false,
    configPath: (ctx) => join(ctx, homeDir(ctx), '.gemini', 'settings.json'),
    entry: (spec) => plain(spec),
    // google-gemini/gemini-cli docs/tools/mcp-server.md: `httpUrl` is Streamable HTTP (`url` is the old SSE).
    remoteEntry: (url) => ({ httpUrl: url }),
    restart: 'Restart Gemini CLI and check with /mcp.',
  },
};
