import { once } from 'node:events';
import net from 'node:net';

/** A loopback port free a moment ago (a server to start on it may still lose it to another process). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
