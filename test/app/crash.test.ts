import { expect } from 'chai';
import { request } from '../support/http-client.js';
import { LOG_LEVELS, startServiceProcess, type ServiceProcess } from '../support/child-process.js';

// The same value as in the fixture (which is not imported: loading it starts its timer).
const CRASH_SECRET = 'hunter2-do-not-log-me';

// A bug that escapes every handler must end the process with code 1 and one fatal log line, so that a
// supervisor restarts it, rather than leave it running in an unknown state. The bug is injected from
// outside, by a module preloaded with `node --import`: the service itself has no hook for it.
describe('crash handling of the real process', function () {
  this.timeout(60_000);
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    await service?.kill();
    service = undefined;
  });

  for (const [kind, event] of [
    ['rejection', 'unhandled rejection'],
    ['exception', 'uncaught exception'],
  ] as const) {
    it(`logs one fatal line and exits 1 on an ${event}`, async () => {
      service = await startServiceProcess({ CRASH_KIND: kind }, { preload: ['test/fixtures/crash-after-start.ts'] });
      // It is up and serving before the bug strikes.
      expect((await request(service.url, 'GET', '/')).status).to.equal(200);

      expect(await service.exitCode(20_000)).to.equal(1);
      const fatal = service.logLines().filter((line) => line.level === LOG_LEVELS.fatal);
      expect(fatal, service.output()).to.have.length(1);
      expect(fatal[0]).to.include({ event, msg: `crashed on an ${event}: exiting with code 1` });
      expect(fatal[0]?.error).to.include({ type: 'Error', message: `simulated bug (${kind})` });
      // Only name, message and stack are logged: not the error's other properties.
      expect(service.output()).not.to.contain(CRASH_SECRET);
      // Handled by the service, not by Node's default handler (which prints the stack on stderr): every
      // line the process wrote is a JSON log line.
      const lines = service
        .output()
        .split('\n')
        .filter((line) => line !== '');
      expect(
        lines.filter((line) => !line.startsWith('{')),
        service.output(),
      ).to.deep.equal([]);
    });
  }
});
