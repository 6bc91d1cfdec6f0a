/**
 * A loopback TCP proxy in front of PostgreSQL that can make the connections open now go silent: bytes in
 * either direction are swallowed, nothing is closed (what a dead NAT entry or a half-failed failover
 * looks like). Connections made after that pass normally.
 * @module
 */
import net from 'node:net';

export interface PgProxy {
  port: number;
  /** Every connection open now stops passing bytes, without an error or a close. */
  freezeOpen(): void;
  close(): void;
}

export function startPgProxy(target: URL): Promise<PgProxy> {
  const open = new Set<{ frozen: boolean; client: net.Socket; upstream: net.Socket }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const pair = { frozen: false, client, upstream };
    open.add(pair);
    client.on('data', (chunk) => {
      if (!pair.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.frozen) client.write(chunk);
    });
    const end = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', () => {
      // A frozen connection's upstream stays open, as the server would see it: silent, not closed.
      if (!pair.frozen) end();
    });
    upstream.on('close', () => {
      if (!pair.frozen) end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        freezeOpen() {
          for (const pair of open) pair.frozen = true;
        },
        close() {
          for (const pair of open) {
            pair.client.destroy();
            pair.upstream.destroy();
          }
          server.close();
        },
      }),
    );
  });
}
