import { expect } from 'chai';
import { InvalidSessionError } from '../../../src/domain/errors.js';
import { USER_AGENT_MAX_LENGTH } from '../../../src/domain/rules/sessions.js';
import { MINUTE } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore } from '../../support/use-case-fixture.js';

describeUseCasesForEachStore('ListSessions', (useCaseFixture) => {
  async function registered() {
    const fixture = await useCaseFixture();
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const logInFrom = (clientAddress: string, userAgent?: string) =>
      fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress, ...(userAgent === undefined ? {} : { userAgent }) });
    return { ...fixture, logInFrom };
  }

  it('lists the live sessions newest first, the current one marked, with what each log-in told', async () => {
    const fixture = await registered();
    const first = await fixture.logInFrom('198.51.100.7', 'Firefox');
    fixture.clock.advance(MINUTE);
    const second = await fixture.logInFrom('2001:db8::1');
    fixture.clock.advance(MINUTE);
    const listed = await fixture.listSessions.execute({ sessionToken: first.sessionToken });
    expect(listed.map(({ current, userAgent, address }) => ({ current, userAgent, address }))).to.deep.equal([
      { current: false, userAgent: null, address: '2001:db8::1' },
      { current: true, userAgent: 'Firefox', address: '198.51.100.7' },
    ]);
    const [newest, oldest] = listed;
    expect(newest?.createdAt).to.deep.equal(new Date(fixture.clock.now().getTime() - MINUTE));
    expect(oldest?.expiresAt, 'the idle timeout (24 h) from its last use, this request').to.deep.equal(
      new Date(fixture.clock.now().getTime() + 24 * 60 * MINUTE),
    );
    expect(oldest?.lastSeenAt, 'this request is its last use').to.deep.equal(fixture.clock.now());
    expect(newest?.lastSeenAt).to.deep.equal(newest?.createdAt);
    expect(second.sessionToken).not.to.equal(first.sessionToken);
  });

  it('never shows a token or its digest: the id is a handle of its own, distinct per session', async () => {
    const fixture = await registered();
    const tokens = [await fixture.logInFrom(ADDRESS), await fixture.logInFrom(ADDRESS)].map(({ sessionToken }) => sessionToken);
    const listed = await fixture.listSessions.execute({ sessionToken: tokens[0] ?? '' });
    const stored = await fixture.sessions.listForUser((await fixture.users.findByEmail(EMAIL))?.id ?? '');
    const secrets = [...tokens, ...stored.map(({ id }) => id)];
    const shown = JSON.stringify(listed);
    for (const secret of secrets) expect(shown).not.to.contain(secret);
    expect(new Set(listed.map(({ id }) => id)).size).to.equal(2);
  });

  it('leaves out sessions that ended, went idle or belong to someone else', async () => {
    const fixture = await registered();
    await fixture.registerUser.execute({ email: 'bob@example.com', password: PASSWORD, clientAddress: ADDRESS });
    await fixture.logIn.execute({ email: 'bob@example.com', password: PASSWORD, clientAddress: ADDRESS });
    const idle = await fixture.logInFrom(ADDRESS);
    const ended = await fixture.logInFrom(ADDRESS);
    await fixture.logOut.execute({ sessionToken: ended.sessionToken });
    fixture.clock.advance(23 * 60 * MINUTE);
    const { sessionToken: current } = await fixture.logInFrom(ADDRESS);
    fixture.clock.advance(60 * MINUTE);
    const listed = await fixture.listSessions.execute({ sessionToken: current });
    expect(listed).to.have.length(1);
    expect(listed[0]?.current).to.equal(true);
    expect(await rejection(fixture.getProfile.execute({ sessionToken: idle.sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });

  it('keeps a User-Agent up to its documented length, never splitting a character', async () => {
    const fixture = await registered();
    const { sessionToken } = await fixture.logInFrom(ADDRESS, `${'a'.repeat(USER_AGENT_MAX_LENGTH - 1)}😀😀 and more`);
    const [listed] = await fixture.listSessions.execute({ sessionToken });
    expect(Array.from(listed?.userAgent ?? '')).to.have.length(USER_AGENT_MAX_LENGTH);
    expect(listed?.userAgent).to.equal(`${'a'.repeat(USER_AGENT_MAX_LENGTH - 1)}😀`);
  });

  it('orders sessions started at the same instant by handle, so every listing is the same', async () => {
    const fixture = await registered();
    const tokens = [];
    for (let i = 0; i < 5; i += 1) tokens.push((await fixture.logInFrom(ADDRESS)).sessionToken);
    const handles = (await fixture.listSessions.execute({ sessionToken: tokens[0] ?? '' })).map(({ id }) => id);
    expect(handles).to.deep.equal([...handles].sort());
    expect((await fixture.listSessions.execute({ sessionToken: tokens[4] ?? '' })).map(({ id }) => id)).to.deep.equal(handles);
  });

  it('shows an empty User-Agent as none', async () => {
    const fixture = await registered();
    const { sessionToken } = await fixture.logInFrom(ADDRESS, '');
    expect((await fixture.listSessions.execute({ sessionToken }))[0]?.userAgent).to.equal(null);
  });

  it('refuses without a valid session', async () => {
    const fixture = await registered();
    for (const sessionToken of ['', 'not-a-session']) {
      expect(await rejection(fixture.listSessions.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    }
  });
});
