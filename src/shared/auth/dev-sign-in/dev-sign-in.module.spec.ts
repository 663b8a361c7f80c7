import { devSignInAllowed } from './dev-sign-in.module';

describe('devSignInAllowed', () => {
  it('only outside production and with the generated development secret', () => {
    expect(
      devSignInAllowed({ production: false, auth: { jwtSecret: 'x', generatedSecret: true } }),
    ).toBe(true);
    expect(
      devSignInAllowed({ production: false, auth: { jwtSecret: 'x', generatedSecret: false } }),
    ).toBe(false);
    expect(
      devSignInAllowed({ production: true, auth: { jwtSecret: 'x', generatedSecret: true } }),
    ).toBe(false);
  });
});
