/**
 * mcp-remote (the stdio↔remote proxy Claude Desktop configs use) as a real third-party OAuth client: spawned
 * against the server, its authorization URL followed by the headless browser once its loopback callback
 * listens, then JSON-RPC over its stdin/stdout.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { browse } from './signInServer.js';
import { makeDataDir } from './studio.js';

/** Runs `proxyJs` against `mcpUrl`, initializes, calls `tool`, and returns the JSON-RPC answer to the call. */
export async function callThroughMcpRemote(
  proxyJs: string,
  mcpUrl: string,
  tool: { name: string; arguments: Record<string, unknown> },
): Promise<{ result?: { isError?: boolean; content?: unknown }; error?: unknown }> {
  const configDir = await makeDataDir();
  const child = spawn(process.execPath, [proxyJs, mcpUrl, '--transport', 'http-only'], {
    env: { PATH: process.env.PATH ?? '', HOME: configDir, MCP_REMOTE_CONFIG_DIR: configDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let browsing: Promise<unknown> | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const link = /Please authorize this client by visiting:\s*(\S+)/.exec(stderr)?.[1];
    // Its loopback callback listens only once it says it is waiting.
    if (link && !browsing && /Waiting for authorization/i.test(stderr))
      browsing = browse(link, 'http://never.invalid/').catch((error: Error) => error);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const send = (message: object) => child.stdin?.write(`${JSON.stringify(message)}\n`);
  const answer = async (id: number) => {
    for (let i = 0; i < 600; i += 1) {
      const line = stdout.split('\n').find((l) => l.includes(`"id":${id}`));
      if (line) return JSON.parse(line);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no answer to ${id}; mcp-remote said: ${stderr.slice(-2000)}`);
  };
  try {
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'remote', version: '1' } },
    });
    await answer(1);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: tool });
    return await answer(2);
  } finally {
    child.kill();
    await rm(configDir, { recursive: true, force: true });
  }
}
