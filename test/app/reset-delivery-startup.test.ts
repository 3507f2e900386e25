import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clientFor } from '../support/http-client.js';
import { runServiceToExit, runToExit, startServiceProcess, type ServiceProcess } from '../support/child-process.js';
import { SmtpTestServer, type ReceivedMessage } from '../support/smtp-test-server.js';

const EMAIL = 'carol@example.com';
const PASSWORD = 'hunter2hunter2';
const NEW_PASSWORD = 'correct horse battery staple';
const SMTP_CREDENTIALS = { user: 'mailer@example.com', pass: 'smtp-p@ss:w/rd-4711' };
const MAIL = {
  MAIL_FROM: 'noreply@example.com',
  RESET_URL: 'https://app.example.com/reset#token={token}',
  VERIFY_URL: 'https://app.example.com/verify#token={token}',
};

/** A key and a certificate for 127.0.0.1 made with openssl, or why there is none. */
async function certificateFor127(dir: string): Promise<{ key: string; cert: string; certPath: string } | string> {
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ];
  const why = (text: string): string => `cannot make a test certificate with openssl (${text.split('\n')[0]})`;
  try {
    const made = await runToExit('openssl', args, { name: 'openssl', env: process.env });
    if (made.code !== 0) return why(`exit ${made.code}: ${made.stderr.trim()}`);
  } catch (error) {
    return why((error as Error).message);
  }
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8'), certPath };
}

describe('reset token delivery at start-up (the real entry point)', function () {
  this.timeout(30_000);

  it('refuses NODE_ENV=production with the token in the response, saying why in one line', async () => {
    const { code, stderr, output } = await runServiceToExit({ NODE_ENV: 'production' });
    expect(code).to.equal(1);
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).to.have.length(1);
    expect(lines[0]).to.match(/^auth-service: refusing to start: NODE_ENV=production with RESET_TOKEN_DELIVERY=response/);
    expect(lines[0]).to.contain('ALLOW_RESET_TOKEN_IN_RESPONSE=true');
    expect(output).not.to.contain('listening');
  });

  for (const [label, env] of [
    ['ALLOW_RESET_TOKEN_IN_RESPONSE=true', { NODE_ENV: 'production', ALLOW_RESET_TOKEN_IN_RESPONSE: 'true' }],
    ['RESET_TOKEN_DELIVERY=email', { NODE_ENV: 'production', RESET_TOKEN_DELIVERY: 'email', SMTP_URL: 'smtp://127.0.0.1:1', ...MAIL }],
  ] as const) {
    it(`starts in production with ${label}`, async () => {
      const service = await startServiceProcess(env);
      expect(await service.stop()).to.equal(0);
    });
  }

  it('refuses email delivery without a variable it needs, naming it and echoing no value', async () => {
    const { code, stderr } = await runServiceToExit({
      RESET_TOKEN_DELIVERY: 'email',
      SMTP_URL: 'smtps://u:Sup3rS3cret@mail.example.com',
      MAIL_FROM: 'noreply@example.com',
      VERIFY_URL: MAIL.VERIFY_URL,
    });
    expect(code).to.equal(1);
    expect(stderr.trim()).to.equal('auth-service: invalid configuration: RESET_URL is required when RESET_TOKEN_DELIVERY=email');
    const invalid = await runServiceToExit({
      RESET_TOKEN_DELIVERY: 'email',
      SMTP_URL: 'smtps://u:Sup3rS3cret@mail.example.com/x',
      ...MAIL,
    });
    expect(invalid.code).to.equal(1);
    expect(invalid.stderr).to.contain('SMTP_URL must be').and.not.to.contain('Sup3rS3cret');
  });

  describe('mailing over STARTTLS with the credentials of SMTP_URL', () => {
    let dir: string;
    let smtp: SmtpTestServer | undefined;
    let service: ServiceProcess | undefined;

    before(async function () {
      dir = await mkdtemp(path.join(tmpdir(), 'auth-smtp-tls-'));
    });

    after(async () => {
      await service?.kill();
      await smtp?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('authenticates, delivers a working link, and logs neither the SMTP password nor any user secret', async function () {
      const certificate = await certificateFor127(dir);
      if (typeof certificate === 'string') {
        console.log(`      skipped: ${certificate}`);
        this.skip();
      }
      smtp = await SmtpTestServer.start({ credentials: SMTP_CREDENTIALS, tls: certificate });
      service = await startServiceProcess({
        NODE_ENV: 'production',
        RESET_TOKEN_DELIVERY: 'email',
        SMTP_URL: smtp.url(SMTP_CREDENTIALS),
        ...MAIL,
        // The test certificate is trusted by this process only, as a private CA would be.
        NODE_EXTRA_CA_CERTS: certificate.certPath,
      });
      const api = clientFor(service.url);
      expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
      const requested = await api.post('/reset_password', { form: { email: EMAIL } });
      expect({ status: requested.status, body: requested.body }).to.deep.equal({
        status: 200,
        body: { email: EMAIL, message: 'reset instructions sent' },
      });

      expect(smtp.authAttempts).to.deep.equal([SMTP_CREDENTIALS]);
      const [message] = smtp.messages as [ReceivedMessage];
      const token = /#token=([A-Za-z0-9_-]+)/.exec(message.text)?.[1] ?? '';
      const reset = await api.put('/reset_password', { form: { email: EMAIL, reset_token: token, new_password: NEW_PASSWORD } });
      expect(reset.status).to.equal(200);
      expect((await api.post('/sessions', { form: { email: EMAIL, password: NEW_PASSWORD } })).status).to.equal(200);
      expect(await service.stop()).to.equal(0);

      const output = service.output();
      const configLine = service.logLines().find((line) => line.msg === 'effective configuration');
      expect(JSON.stringify(configLine)).to.contain(`"smtpUrl":"smtp://mailer%40example.com:<password>@127.0.0.1:${smtp.port}"`);
      for (const secret of [SMTP_CREDENTIALS.pass, encodeURIComponent(SMTP_CREDENTIALS.pass), PASSWORD, NEW_PASSWORD, token]) {
        expect(output).not.to.contain(secret);
      }
      for (const secret of [PASSWORD, NEW_PASSWORD, SMTP_CREDENTIALS.pass]) expect(message.raw).not.to.contain(secret);
    });
  });
});
