import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AppendingProxy {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A reverse proxy on 127.0.0.1 that forwards to `target` and appends the address it saw to
 * X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for and cloud load balancers do: whatever the
 * client wrote there stays, to the left. `seenAs` stands in for the client's real address (every
 * client here is 127.0.0.1).
 */
export async function startAppendingProxy(target: string, seenAs: string): Promise<AppendingProxy> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const forwarded = req.headers['x-forwarded-for'];
    const headers = { ...req.headers, 'x-forwarded-for': forwarded === undefined ? seenAs : `${String(forwarded)}, ${seenAs}` };
    const outgoing = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => res.destroy());
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
