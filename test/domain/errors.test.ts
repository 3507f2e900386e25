import { expect } from 'chai';
import * as errors from '../../src/domain/errors.js';

describe('domain errors', () => {
  it('are named after their class, so logs say which one it was', () => {
    const made = [
      new errors.EmailAlreadyRegisteredError(),
      new errors.InvalidCredentialsError(),
      new errors.InvalidSessionError(),
      new errors.WrongPasswordError(),
      new errors.SessionNotFoundError(),
      new errors.UnknownEmailError(),
      new errors.InvalidResetTokenError(),
      new errors.InvalidInputError('email', 'is required'),
      new errors.StoreUnavailableError(),
      new errors.DeliveryUnavailableError(),
      new errors.TooManyAttemptsError(3),
      new errors.ClientGoneError(),
    ];
    for (const error of made) {
      expect(error.name).to.equal(error.constructor.name);
      expect(error).to.be.instanceOf(errors.DomainError);
    }
  });

  it('keep the cause of an outage for the log, behind a message safe for any client', () => {
    const cause = new Error('connection refused by db1:27017');
    const error = new errors.StoreUnavailableError({ cause });
    expect(error.message).to.equal('the service is temporarily unavailable, please retry');
    expect(error.cause).to.equal(cause);
    expect(new errors.StoreUnavailableError().cause).to.equal(undefined);
    const delivery = new errors.DeliveryUnavailableError({ cause });
    expect(delivery.message).to.equal('the message could not be sent now, please retry later');
    expect(delivery.cause).to.equal(cause);
  });

  it('say what went wrong in words a client may be shown', () => {
    expect(new errors.WrongPasswordError().message).to.equal('wrong password');
    expect(new errors.SessionNotFoundError().message).to.equal('no such session');
    expect(new errors.InvalidSessionError().message).to.equal('invalid or expired session');
  });

  it('word an invalid input as "<field> <reason>", keeping both', () => {
    const error = new errors.InvalidInputError('new_password', 'must not be empty');
    expect(error.message).to.equal('new_password must not be empty');
    expect(error).to.include({ field: 'new_password', reason: 'must not be empty' });
  });

  it('carry a fixed message fit for any client, naming no secret', () => {
    const messages: [errors.DomainError, string][] = [
      [new errors.EmailAlreadyRegisteredError(), 'email already registered'],
      [new errors.InvalidCredentialsError(), 'invalid email or password'],
      [new errors.InvalidSessionError(), 'invalid or expired session'],
      [new errors.UnknownEmailError(), 'unknown email'],
      [new errors.InvalidResetTokenError(), 'invalid or expired reset token'],
      [new errors.TooManyAttemptsError(3), 'too many attempts, please retry later'],
      [new errors.ClientGoneError(), 'the client closed the request'],
    ];
    for (const [error, message] of messages) expect(error.message, error.name).to.equal(message);
  });
});
