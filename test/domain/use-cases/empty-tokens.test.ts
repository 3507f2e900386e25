import { expect } from 'chai';
import { TOKENS } from '../../../src/app/tokens.js';
import { InvalidInputError, InvalidSessionError, StoreUnavailableError } from '../../../src/domain/errors.js';
import type { SessionRepository } from '../../../src/domain/ports/session-repository.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, useCaseFixture } from '../../support/use-case-fixture.js';

const down = (): Promise<never> => Promise.reject(new StoreUnavailableError());
const unreachableSessions: SessionRepository = {
  add: down,
  findById: down,
  delete: down,
  deleteAllForUser: down,
  listForUser: down,
  recordSeen: down,
};

describe('an empty token', () => {
  it('is an invalid session before any store is asked: even with the session store down, not a 503', async () => {
    const fixture = await useCaseFixture({
      configure: (container) => container.rebind(TOKENS.SessionRepository).toConstantValue(unreachableSessions),
    });
    // The store really is down: a token that is not empty gets its error.
    expect(await rejection(fixture.getProfile.execute({ sessionToken: 'x' }))).to.be.instanceOf(StoreUnavailableError);
    expect(await rejection(fixture.logOut.execute({ sessionToken: 'x' }))).to.be.instanceOf(StoreUnavailableError);
    expect(await rejection(fixture.getProfile.execute({ sessionToken: '' }))).to.be.instanceOf(InvalidSessionError);
    expect(await rejection(fixture.logOut.execute({ sessionToken: '' }))).to.be.instanceOf(InvalidSessionError);
  });

  it('is refused by a password reset as an empty input', async () => {
    const fixture = await useCaseFixture();
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const refused = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: '', newPassword: 'a brand new password', clientAddress: ADDRESS }),
    );
    expect(refused).to.be.instanceOf(InvalidInputError);
    expect((refused as InvalidInputError).reason).to.equal('must not be empty');
  });
});
