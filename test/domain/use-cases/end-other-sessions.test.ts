import { expect } from 'chai';
import { InvalidSessionError } from '../../../src/domain/errors.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore } from '../../support/use-case-fixture.js';

describeUseCasesForEachStore('EndOtherSessions', (useCaseFixture) => {
  it('ends every other live session of the user, keeps this one and other users’, and counts what it ended', async () => {
    const fixture = await useCaseFixture();
    for (const email of [EMAIL, 'bob@example.com'])
      await fixture.registerUser.execute({ email, password: PASSWORD, clientAddress: ADDRESS });
    const logIn = async (email: string) =>
      (await fixture.logIn.execute({ email, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    const current = await logIn(EMAIL);
    const others = [await logIn(EMAIL), await logIn(EMAIL), await logIn(EMAIL)];
    const bob = await logIn('bob@example.com');
    // One of them ended already: not counted again.
    await fixture.logOut.execute({ sessionToken: others[2] ?? '' });

    expect(await fixture.endOtherSessions.execute({ sessionToken: current })).to.deep.equal({ ended: 2 });
    for (const sessionToken of others) {
      expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    }
    expect(await fixture.getProfile.execute({ sessionToken: current })).to.deep.equal({ email: EMAIL, emailVerified: false });
    expect(await fixture.getProfile.execute({ sessionToken: bob })).to.deep.equal({ email: 'bob@example.com', emailVerified: false });
    expect(await fixture.endOtherSessions.execute({ sessionToken: current }), 'nothing left to end').to.deep.equal({ ended: 0 });
  });

  it('counts each session once when two calls race', async () => {
    const fixture = await useCaseFixture();
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const logIn = async () => (await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    const [a, b] = [await logIn(), await logIn()];
    for (let i = 0; i < 4; i += 1) await logIn();
    const [fromA, fromB] = await Promise.all(
      [a, b].map((sessionToken) => fixture.endOtherSessions.execute({ sessionToken: sessionToken ?? '' })),
    );
    // Between them, the four others and (at most) each other: every session ended is counted by one call only.
    const alive = await Promise.all(
      [a, b].map((sessionToken) =>
        fixture.getProfile.execute({ sessionToken: sessionToken ?? '' }).then(
          () => 1,
          () => 0,
        ),
      ),
    );
    expect((fromA?.ended ?? 0) + (fromB?.ended ?? 0)).to.equal(6 - alive.reduce<number>((sum, n) => sum + n, 0));
  });

  it('refuses without a valid session, ending nothing', async () => {
    const fixture = await useCaseFixture();
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    expect(await rejection(fixture.endOtherSessions.execute({ sessionToken: 'nope' }))).to.be.instanceOf(InvalidSessionError);
    expect(await fixture.getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });
});
