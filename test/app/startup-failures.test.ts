import { expect } from 'chai';
import net from 'node:net';
import { once } from 'node:events';
import { runServiceToExit } from '../support/child-process.js';

/** A start-up failure as the operator must see it: exit 1, one line on stderr, no stack, no value echoed. */
function expectOneLine(result: { code: number | null; stderr: string }, mentions: string, never: string[] = []): void {
  expect(result.code, result.stderr).to.equal(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).to.have.length(1);
  expect(lines[0])
    .to.match(/^auth-service: /)
    .and.to.contain(mentions);
  expect(result.stderr).not.to.match(/\n\s+at |uncaught|fatal/i);
  for (const value of never) expect(result.stderr).not.to.contain(value);
}

describe('start-up failures of the real process', function () {
  this.timeout(60_000);

  it('says which address is taken when the port is in use', async () => {
    const occupant = net.createServer();
    occupant.listen(0, '127.0.0.1');
    await once(occupant, 'listening');
    const { port } = occupant.address() as net.AddressInfo;
    try {
      const result = await runServiceToExit({ PORT: String(port) });
      expectOneLine(result, `127.0.0.1:${port}`);
      expect(result.stderr).to.contain('already in use');
    } finally {
      occupant.close();
    }
  });

  it('names HOST for an address that is not one, or not this machine’s, without echoing it', async () => {
    expectOneLine(await runServiceToExit({ HOST: '999.1.1.1' }), 'HOST', ['999.1.1.1']);
    // TEST-NET-1: a well-formed address that no interface here has.
    expectOneLine(await runServiceToExit({ HOST: '192.0.2.55' }), 'HOST is not an address of this machine', ['192.0.2.55']);
  });

  it('names MONGODB_URI when the driver would refuse its options, without echoing them', async () => {
    for (const uri of ['mongodb://127.0.0.1:1/?compressors=x', 'mongodb://127.0.0.1:1/?authMechanism=BOGUS']) {
      expectOneLine(await runServiceToExit({ STORE: 'mongodb', MONGODB_URI: uri }), 'MONGODB_URI', ['compressors', 'BOGUS', '=x']);
    }
  });

  it('refuses durations no timer or date could honour, naming the variable', async () => {
    for (const [variable, value] of [
      ['SESSION_TTL', '9999999999d'],
      ['RESET_TOKEN_TTL', '9999999999d'],
      ['SHUTDOWN_TIMEOUT', '30d'],
      ['RATE_LIMIT_LOGIN_FAILURES', '5/30d'],
    ] as const) {
      expectOneLine(await runServiceToExit({ [variable]: value }), variable, [value]);
    }
  });
});
