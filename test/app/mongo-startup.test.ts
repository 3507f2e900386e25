import { expect } from 'chai';
import { freePort } from '../support/free-port.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { jongodbBinary, startJongodb, type Jongodb } from '../support/jongodb.js';
import { request } from '../support/http-client.js';
import { runServiceToExit, startServiceProcess } from '../support/child-process.js';

describe('start-up on MongoDB', function () {
  this.timeout(60_000);

  it('retries an unreachable server for MONGODB_STARTUP_TIMEOUT, then exits 1 with one line naming the host, never the password', async () => {
    const port = await freePort();
    const { code, stderr, output, ms } = await runServiceToExit({
      STORE: 'mongodb',
      MONGODB_URI: `mongodb://admin:s3cr3t-pa55@127.0.0.1:${port}/?authSource=admin`,
      MONGODB_TIMEOUT: '1s',
      MONGODB_STARTUP_TIMEOUT: '3s',
      LOG_LEVEL: 'info',
    });
    expect(code).to.equal(1);
    expect(ms).to.be.within(2500, 20_000);
    const lines = stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain(`127.0.0.1:${port}`);
    expect(output).not.to.contain('s3cr3t');
    expect(output, 'retries are logged').to.contain('MongoDB not reachable yet, retrying');
  });

  it('connects once a server that was down at start comes up within the retry window', async function () {
    const binary = jongodbBinary();
    if (binary === undefined) {
      console.log('      skipped: needs the jongodb stand-in (Linux x64) to start a server late');
      this.skip();
    }
    const port = await freePort();
    let database: Jongodb | undefined;
    const late = sleep(1500).then(async () => {
      database = await startJongodb(binary ?? '', port);
    });
    try {
      const service = await startServiceProcess({
        STORE: 'mongodb',
        MONGODB_URI: `mongodb://127.0.0.1:${port}/`,
        MONGODB_TIMEOUT: '1s',
        MONGODB_STARTUP_TIMEOUT: '20s',
      });
      const reply = await request(service.url, 'POST', '/users', { form: { email: 'late@example.com', password: 'late password' } });
      expect(reply.status).to.equal(200);
      expect(await service.stop()).to.equal(0);
    } finally {
      await late;
      await database?.stop();
    }
  });

  it('refuses a malformed MONGODB_URI, and STORE=mongodb without one, naming the variable', async () => {
    const bad = await runServiceToExit({ STORE: 'mongodb', MONGODB_URI: 'http://user:hunter2@db.example.com' });
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('MONGODB_URI').and.not.to.contain('hunter2');
    const missing = await runServiceToExit({ STORE: 'mongodb' });
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('MONGODB_URI is required when STORE=mongodb');
  });
});
