import net from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/** One message as the server received it: the envelope, the raw message and its parsed parts. */
export interface ReceivedMessage {
  /** MAIL FROM and RCPT TO, as the client gave them. */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly raw: string;
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly html: string;
  /** Every header line of the message, unfolded, as received. */
  readonly headerLines: readonly string[];
}

export interface SmtpTestServerOptions {
  /** Listen on this port (for a server coming back where another stood); a free one by default. */
  readonly port?: number;
  /** Require AUTH with these credentials (over TLS only, as smtp-server insists). */
  readonly credentials?: { readonly user: string; readonly pass: string };
  /** Key and certificate for STARTTLS; without them STARTTLS is not offered. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1 that keeps what it receives. A message is
 * recorded before the server acknowledges it, so once the client's send resolves, it is in `messages`.
 */
export class SmtpTestServer {
  readonly messages: ReceivedMessage[] = [];
  /** The credentials of every AUTH attempt, accepted or not. */
  readonly authAttempts: Array<{ readonly user: string; readonly pass: string }> = [];
  /** How many connections were made. */
  connections = 0;
  /** When set, every recipient is refused with this reply (e.g. a 451 of a server in trouble). */
  refusal: { readonly code: number; readonly message: string } | undefined;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
    // Filled in once listening; the server's handlers run only after that.
    const self: { instance?: SmtpTestServer } = {};
    const credentials = options.credentials;
    const server = new SMTPServer({
      name: 'smtp.test',
      logger: false,
      closeTimeout: 1000,
      authOptional: credentials === undefined,
      disabledCommands: [...(credentials === undefined ? ['AUTH'] : []), ...(options.tls === undefined ? ['STARTTLS'] : [])],
      ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
      onConnect(_session: SMTPServerSession, callback: (error?: Error | null) => void) {
        if (self.instance !== undefined) self.instance.connections += 1;
        callback();
      },
      onAuth(auth, _session, callback) {
        const attempt = { user: auth.username ?? '', pass: auth.password ?? '' };
        self.instance?.authAttempts.push(attempt);
        if (credentials !== undefined && attempt.user === credentials.user && attempt.pass === credentials.pass) {
          callback(null, { user: attempt.user });
        } else {
          callback(new Error('invalid credentials'));
        }
      },
      onRcptTo(_address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
        const refusal = self.instance?.refusal;
        if (refusal === undefined) {
          callback();
          return;
        }
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed) => {
              const mailFrom = session.envelope.mailFrom;
              self.instance?.messages.push({
                envelope: { from: mailFrom === false ? '' : mailFrom.address, to: session.envelope.rcptTo.map((rcpt) => rcpt.address) },
                raw,
                subject: parsed.subject ?? '',
                from: parsed.from?.text ?? '',
                to: Array.isArray(parsed.to) ? parsed.to.map((to) => to.text).join(', ') : (parsed.to?.text ?? ''),
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                headerLines: parsed.headerLines.map((header) => header.line.replace(/\r?\n[ \t]+/g, ' ')),
              });
              callback();
            },
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
          );
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.server.address() as net.AddressInfo).port);
      });
    });
    // A client that vanishes mid-conversation is none of the test's business.
    server.on('error', () => undefined);
    self.instance = new SmtpTestServer(server, port);
    return self.instance;
  }

  /** smtp://127.0.0.1:<port>, with the credentials given, URL-encoded. */
  url(credentials?: { readonly user: string; readonly pass: string }, host = '127.0.0.1'): string {
    const userInfo = credentials === undefined ? '' : `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@`;
    return `smtp://${userInfo}${host}:${this.port}`;
  }

  /** Stops listening and ends the connections that remain. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 where nothing listens: a mail server that is down. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never says a word: a mail server that hangs. */
export async function silentServer(): Promise<{ readonly port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
