/**
 * Starts the HTTP server on a host and port (0 picks a free one) and reports the bound URL.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Stops accepting connections (a load balancer moves on); requests in progress go on. */
  stopAccepting(): void;
  close(): Promise<void>;
}

export function listen(app: Hono, host: string, port: number): Promise<RunningHttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const hostForUrl = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${hostForUrl}:${info.port}`,
        port: info.port,
        stopAccepting: () => {
          server.close();
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Streams held open by clients must not keep shutdown waiting.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
