import { expect } from 'chai';
import { LOG_LEVELS, startServiceProcess, type ServiceProcess } from '../support/child-process.js';

const WARNING = 'RATE LIMITING IS OFF';

// RATE_LIMIT=off is for load tests and trusted set-ups only: a service started like that must say so
// loudly, before it serves anything, and say nothing of the kind otherwise.
describe('start-up output about rate limiting', function () {
  this.timeout(60_000);
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    await service?.kill();
    service = undefined;
  });

  it('warns, before listening, that rate limiting is off when RATE_LIMIT=off', async () => {
    service = await startServiceProcess({ RATE_LIMIT: 'off' });
    const lines = service.logLines();
    const warnings = lines.filter((line) => line.msg.startsWith(WARNING));
    expect(warnings, service.output()).to.have.length(1);
    expect(warnings[0]).to.include({ level: LOG_LEVELS.warn, rateLimit: 'off' });
    const listening = lines.findIndex((line) => line.msg.startsWith('auth service listening'));
    expect(lines.indexOf(warnings[0]!)).to.be.below(listening);
    expect(await service.stop()).to.equal(0);
  });

  it('says nothing of the kind by default', async () => {
    service = await startServiceProcess();
    expect(service.output()).to.contain('auth service listening');
    expect(service.output()).not.to.contain(WARNING);
    expect(
      service.logLines().filter((line) => line.level >= LOG_LEVELS.warn),
      service.output(),
    ).to.deep.equal([]);
    expect(await service.stop()).to.equal(0);
  });
});
