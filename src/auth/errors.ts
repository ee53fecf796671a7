/** The sign-in did not complete: the message says why (refused, timed out, a forged answer). */
export class SignInError extends Error {
  override name = 'SignInError';
}
