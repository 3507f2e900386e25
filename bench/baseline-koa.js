// Baseline for the session check: a bare Koa app on the service's koa and @koa/router, answering a
// constant small JSON on one GET route the way the service's route does, on a plain node:http server.
// Logs the same `"url":"http://…"` JSON line as the service once it listens (HOST and PORT as the service).
import { createServer } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';

const app = new Koa();
const router = new Router();
// The email of the benchmark's user (bench/client.ts), so that both answers have the same size.
const email = 'bench-user@bench.example';
router.get('/profile', (ctx) => {
  ctx.body = { email };
});
app.use(router.routes());

const handle = app.callback();
const server = createServer((req, res) => void handle(req, res));
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', url: `http://${address}:${port}` })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
