import { expect } from 'chai';
import { InvalidInputError } from '../../../../src/domain/errors.js';
import { ROUTES } from '../../../../src/adapters/http/routes/index.js';
import type { Route } from '../../../../src/adapters/http/routes/route.js';

function fieldsOf(method: string, path: string): NonNullable<Route['body']>['fields'] {
  const fields = ROUTES.find((candidate) => candidate.method === method && candidate.path === path)?.body?.fields;
  if (fields === undefined) throw new Error(`no body on ${method} ${path}`);
  return fields;
}

/** The message of the InvalidInputError that parsing `body` throws. */
function refusal(fields: ReturnType<typeof fieldsOf>, body: unknown): string {
  try {
    fields.parse(body);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

describe('request fields (a route body read through its zod schema)', () => {
  const register = fieldsOf('post', '/users');
  const reset = fieldsOf('put', '/reset_password');

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'email=a', 3])
      expect(refusal(register, body), JSON.stringify(body)).to.equal('body must be a form or a JSON object');
  });

  it('reports the first wrong field, in the order the route lists them', () => {
    expect(refusal(register, {})).to.equal('email is required');
    expect(refusal(register, { password: 1 })).to.equal('email is required');
    expect(refusal(register, { email: 1 })).to.equal('email must be a string');
    expect(refusal(register, { email: 'a@b.co', password: ['x', 'y'] })).to.equal('password must be a string');
    expect(refusal(reset, { email: 'a@b.co', new_password: null, reset_token: { $ne: '' } })).to.equal('reset_token must be a string');
    expect(refusal(reset, { email: 'a@b.co', reset_token: 't', new_password: 'x\ud800' })).to.equal(
      'new_password must be well-formed Unicode (no lone surrogates)',
    );
  });

  it('reads own fields only, never what a prototype provides', () => {
    expect(refusal(register, Object.create({ email: 'a@b.co', password: 'correct horse' }))).to.equal('email is required');
  });

  it('hands the use case its own names, and leaves emptiness and shape to it', () => {
    expect(reset.parse({ email: '', reset_token: '', new_password: '', extra: 1 })).to.deep.equal({
      email: '',
      resetToken: '',
      newPassword: '',
    });
  });

  it("puts a use case's InvalidInputError back in the wire's words; anything else passes as it is", () => {
    const reworded = reset.onWire(new InvalidInputError('newPassword', 'must be at least 8 characters'));
    expect(reworded).to.be.instanceOf(InvalidInputError).with.property('message', 'new_password must be at least 8 characters');
    expect((reset.onWire(new InvalidInputError('resetToken', 'must not be empty')) as Error).message).to.equal(
      'reset_token must not be empty',
    );
    const same = new InvalidInputError('email', 'must not be empty');
    expect(reset.onWire(same)).to.equal(same);
    const other = new Error('boom');
    expect(reset.onWire(other)).to.equal(other);
  });
});
