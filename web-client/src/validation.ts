/** Checks made in the browser before a form is sent; the server checks the same again. */
export const MIN_PASSWORD_LENGTH = 12;

export type PasswordProblem = 'password-too-short' | 'passwords-differ' | null;

export function passwordProblem(password: string, confirmation: string): PasswordProblem {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'password-too-short';
  if (password !== confirmation) return 'passwords-differ';
  return null;
}
