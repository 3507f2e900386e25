import { expect } from 'chai';
import { InvalidSessionError, SessionNotFoundError } from '../../../src/domain/errors.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore } from '../../support/use-case-fixture.js';

const BOB = 'bob@example.com';

describeUseCasesForEachStore('EndSession', (useCaseFixture) => {
  /** Alice on two devices, Bob on one. */
  async function twoUsers() {
    const fixture = await useCaseFixture();
    for (const email of [EMAIL, BOB]) await fixture.registerUser.execute({ email, password: PASSWORD, clientAddress: ADDRESS });
    const logIn = async (email: string) =>
      (await fixture.logIn.execute({ email, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    const alice = await logIn(EMAIL);
    const aliceElsewhere = await logIn(EMAIL);
    const bob = await logIn(BOB);
    const handleOf = async (sessionToken: string) =>
      (await fixture.listSessions.execute({ sessionToken })).find(({ current }) => current)?.id ?? '';
    return { ...fixture, alice, aliceElsewhere, bob, handleOf };
  }

  it('ends the session named by its handle at once, and only it', async () => {
    const fixture = await twoUsers();
    const handle = await fixture.handleOf(fixture.aliceElsewhere);
    expect(await fixture.endSession.execute({ sessionToken: fixture.alice, sessionId: handle })).to.deep.equal({ wasCurrent: false });
    expect(await rejection(fixture.getProfile.execute({ sessionToken: fixture.aliceElsewhere }))).to.be.instanceOf(InvalidSessionError);
    expect(await fixture.getProfile.execute({ sessionToken: fixture.alice })).to.deep.equal({ email: EMAIL, emailVerified: false });
    expect(await fixture.getProfile.execute({ sessionToken: fixture.bob })).to.deep.equal({ email: BOB, emailVerified: false });
  });

  it('ends the caller’s own session too, saying so', async () => {
    const fixture = await twoUsers();
    const own = await fixture.handleOf(fixture.alice);
    expect(await fixture.endSession.execute({ sessionToken: fixture.alice, sessionId: own })).to.deep.equal({ wasCurrent: true });
    expect(await rejection(fixture.getProfile.execute({ sessionToken: fixture.alice }))).to.be.instanceOf(InvalidSessionError);
  });

  it('answers the same SessionNotFoundError for someone else’s handle, an ended one and an unknown one, ending nothing', async () => {
    const fixture = await twoUsers();
    const bobs = await fixture.handleOf(fixture.bob);
    const ended = await fixture.handleOf(fixture.aliceElsewhere);
    await fixture.logOut.execute({ sessionToken: fixture.aliceElsewhere });
    const refusals = await Promise.all(
      [bobs, ended, 'no-such-handle', '', fixture.bob].map(async (sessionId) =>
        rejection(fixture.endSession.execute({ sessionToken: fixture.alice, sessionId })),
      ),
    );
    for (const refusal of refusals) {
      expect(refusal).to.be.instanceOf(SessionNotFoundError);
      expect(refusal.message).to.equal(new SessionNotFoundError().message);
    }
    expect(await fixture.getProfile.execute({ sessionToken: fixture.bob }), 'a handle is no way into another account').to.deep.equal({
      email: BOB,
      emailVerified: false,
    });
  });

  it('lets exactly one of two concurrent ends of one session succeed', async () => {
    const fixture = await twoUsers();
    const handle = await fixture.handleOf(fixture.aliceElsewhere);
    const results = await Promise.allSettled(
      [1, 2].map(() => fixture.endSession.execute({ sessionToken: fixture.alice, sessionId: handle })),
    );
    expect(results.filter(({ status }) => status === 'fulfilled')).to.have.length(1);
    const [refused] = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(refused?.reason).to.be.instanceOf(SessionNotFoundError);
  });

  it('refuses without a valid session', async () => {
    const fixture = await twoUsers();
    const handle = await fixture.handleOf(fixture.alice);
    expect(await rejection(fixture.endSession.execute({ sessionToken: 'not-a-session', sessionId: handle }))).to.be.instanceOf(
      InvalidSessionError,
    );
    expect(await fixture.getProfile.execute({ sessionToken: fixture.alice })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });
});
