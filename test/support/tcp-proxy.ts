import net from 'node:net';
import { ConnectionString } from 'mongodb-connection-string-url';

/**
 * A TCP relay on 127.0.0.1 in front of a server, which a test can cut (connections dropped, new ones
 * refused) and restore on the same port: a database outage without losing the database's data. Or
 * freeze (connections kept and accepted, nothing forwarded) and thaw: a hung server, which a refused
 * connection never reveals.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private listenPort = 0;
  private frozen = false;
  /** What arrived while frozen, in arrival order (so each direction of each connection keeps its order). */
  private held: Array<() => void> = [];

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Drops every connection and stops accepting new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.held = [];
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port. */
  async restore(): Promise<void> {
    await this.listen();
  }

  /**
   * A black hole, as a frozen VM or a network partition: every connection stays open and new ones are
   * accepted, but nothing is forwarded in either direction (not even a close) until thaw().
   */
  freeze(): void {
    this.frozen = true;
  }

  /** Forwards again, what was held back first: a write sent while frozen reaches the server late. */
  thaw(): void {
    this.frozen = false;
    const held = this.held;
    this.held = [];
    for (const send of held) send();
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private forward(send: () => void): void {
    if (this.frozen) this.held.push(send);
    else send();
  }

  /** One direction of a connection, with backpressure; ends `to` once `from` has ended. */
  private relay(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) =>
      this.forward(() => {
        if (to.destroyed) return;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      }),
    );
    from.on('end', () => this.forward(() => to.end()));
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      this.relay(client, upstream);
      this.relay(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    this.listenPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }
}

/**
 * A proxy in front of the single-host MongoDB at `uri`, and the URI that goes through it; undefined for
 * an SRV or several-host URI. directConnection: a replica set's advertised member address would bypass
 * the proxy.
 */
export async function proxyInFrontOfMongo(uri: string): Promise<{ proxy: TcpProxy; uri: string } | undefined> {
  const original = new ConnectionString(uri);
  const [host, port] = (original.hosts[0] ?? '').split(':');
  if (original.isSRV || original.hosts.length !== 1 || host === undefined || host === '') return undefined;
  const proxy = await TcpProxy.start(host, Number(port ?? 27017));
  const proxied = original.clone();
  proxied.hosts = [`127.0.0.1:${proxy.port}`];
  proxied.searchParams.set('directConnection', 'true');
  return { proxy, uri: proxied.toString() };
}
