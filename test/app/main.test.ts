import { expect } from 'chai';
import { request } from '../support/http-client.js';
import { runServiceToExit, startServiceProcess } from '../support/child-process.js';

describe('entry point (src/app/main.ts)', function () {
  this.timeout(60_000);

  it('prints its address at start-up and exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const service = await startServiceProcess();
      expect(service.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(service.output()).to.contain(`auth service listening on ${service.url}`);
      expect(service.output()).to.contain('"msg":"effective configuration"').and.to.contain('"bcryptCost":4');
      const reply = await request(service.url, 'GET', '/');
      expect(reply.body).to.deep.equal({ message: 'Bienvenue' });
      expect(await service.stop(signal)).to.equal(0);
    }
  });

  it('refuses to start on an invalid variable, with one line naming it', async () => {
    const { code, output } = await runServiceToExit({ BCRYPT_COST: '99' });
    expect(code).to.equal(1);
    expect(output.trim().split('\n')).to.have.length(1);
    expect(output).to.contain('BCRYPT_COST');
  });
});
