import { expect } from 'chai';
import { InvalidSessionError } from '../../../src/domain/errors.js';
import { DAY, HOUR, SECOND } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { EMAIL, loggedInFixture } from '../../support/use-case-fixture.js';

describe('GetProfile', () => {
  it('resolves a session token to its user', async () => {
    const { getProfile, sessionToken } = await loggedInFixture();
    expect(await getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });

  it('refuses an unknown, empty or tampered token', async () => {
    const { getProfile, sessionToken } = await loggedInFixture();
    for (const token of ['', 'nonsense', `${sessionToken}x`, sessionToken.slice(1)]) {
      expect(await rejection(getProfile.execute({ sessionToken: token }))).to.be.instanceOf(InvalidSessionError);
    }
  });

  it('treats an expired session exactly like an unknown one: use never extends the absolute lifetime', async () => {
    const { getProfile, sessionToken, clock } = await loggedInFixture();
    // Used twice a day, well within the idle timeout (24 h), up to a second before SESSION_TTL (14 days).
    for (let elapsed = 0; elapsed < 14 * DAY - SECOND; elapsed += 12 * HOUR) {
      clock.advance(Math.min(12 * HOUR, 14 * DAY - SECOND - elapsed));
      expect(await getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    }
    clock.advance(SECOND);
    const expired = await rejection(getProfile.execute({ sessionToken }));
    const unknown = await rejection(getProfile.execute({ sessionToken: 'unknown' }));
    expect(expired).to.be.instanceOf(InvalidSessionError);
    expect(expired.message).to.equal(unknown.message);
  });

  it('honours SESSION_TTL', async () => {
    const { getProfile, sessionToken, clock } = await loggedInFixture({ SESSION_TTL: '60' });
    clock.advance(59 * SECOND);
    await getProfile.execute({ sessionToken });
    clock.advance(SECOND);
    expect(await rejection(getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });
});
