import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../src/validation';

describe('passwordProblem', () => {
  it('asks for at least 12 characters, counted as people count them', () => {
    expect(passwordProblem('short', 'short')).toBe('password-too-short');
    expect(passwordProblem('elevenchars', 'elevenchars')).toBe('password-too-short');
    // 12 Arabic letters are 12 characters even though some scripts take more UTF-16 units.
    expect(passwordProblem('كلمةمرورطويل', 'كلمةمرورطويل')).toBeNull();
    expect(passwordProblem('🔐🔐🔐🔐🔐🔐', '🔐🔐🔐🔐🔐🔐')).toBe('password-too-short');
  });

  it('insists both fields match', () => {
    expect(passwordProblem('correct horse battery', 'correct horse batterY')).toBe('passwords-differ');
    expect(passwordProblem('correct horse battery', 'correct horse battery')).toBeNull();
  });
});
