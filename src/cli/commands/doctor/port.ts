/**
 * Doctor: is the HTTP port free for `serve` (or held by a nanobanana-studio that is already running).
 * @module
 */
import net from 'node:net';
import type { Check, DoctorCheck } from './check.js';

export const portCheck: DoctorCheck = {
  name: 'HTTP port',
  run: ({ config }) => checkPort(config.host, config.port),
};

async function checkPort(host: string, port: number): Promise<Check> {
  const base = { id: 'http-port', name: 'HTTP port' };
  if (port === 0) return { ...base, status: 'ok', detail: 'port 0: serve picks a free port at start' };
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (error === undefined) return { ...base, status: 'ok', detail: `${where} is free for \`nanobanana-studio serve\`` };
  const portFix = `Stop the program using it, or choose another port with --port or STUDIO_PORT.`;
  if (error.code === 'EADDRINUSE') {
    const ours = await probeStudio(host, port);
    if (ours !== undefined) {
      return {
        ...base,
        status: 'warn',
        detail: `${where} is in use by a running nanobanana-studio ${ours}`,
        fix: `Fine if you meant to keep it running; otherwise stop it first. ${portFix}`,
      };
    }
    return { ...base, status: 'fail', detail: `${where} is already in use by another program`, fix: portFix };
  }
  if (error.code === 'EACCES') {
    return {
      ...base,
      status: 'fail',
      detail: `${where}: not allowed to listen (ports below 1024 need privileges)`,
      fix: 'Use a port above 1023 (the default is 8766) with --port or STUDIO_PORT.',
    };
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return {
      ...base,
      status: 'fail',
      detail: `${host} is not an address of this machine (${error.code})`,
      fix: 'Use 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces) with --host or STUDIO_HOST.',
    };
  }
  return { ...base, status: 'fail', detail: `${where}: ${error.code ?? error.message}`, fix: portFix };
}

/** The version of a nanobanana-studio answering /health on that port, if that is what is there. */
async function probeStudio(host: string, port: number): Promise<string | undefined> {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  try {
    const res = await fetch(`http://${target}:${port}/health`, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as { status?: unknown; version?: unknown };
    return body.status === 'ok' && typeof body.version === 'string' ? body.version : undefined;
  } catch {
    return undefined;
  }
}
