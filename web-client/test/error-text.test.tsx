// @vitest-environment jsdom
import { h, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { setLanguage } from '../src/i18n';
import { ErrorText } from '../src/pages/ErrorText';

const shown = (error: unknown) => {
  const root = document.createElement('div');
  render(h(ErrorText, { error }), root);
  return root.textContent;
};

afterEach(() => setLanguage('en', null));

describe('errors as people read them', () => {
  it('uses our sentence, in the reader’s language, for codes the catalogue knows', () => {
    const expired = new ApiError(410, 'invitation-expired', 'This invitation has expired; ask for a new one');
    expect(shown(expired)).toBe('This invitation has expired; ask for a new one.');
    setLanguage('fr', null);
    expect(shown(expired)).toBe('Cette invitation a expiré ; demandez-en une nouvelle.');
    setLanguage('ar', null);
    expect(shown(new ApiError(401, 'invalid-credentials', 'Wrong e-mail or password'))).toBe('البريد الإلكتروني أو كلمة المرور غير صحيحة');
  });

  it('falls back to the server’s message, and never shows a stack', () => {
    expect(shown(new ApiError(400, 'validation-failed', 'The e-mail is not valid'))).toBe('The e-mail is not valid');
    expect(shown(new TypeError('x is undefined'))).toBe('Something went wrong');
    expect(shown(null)).toBe('');
  });
});
