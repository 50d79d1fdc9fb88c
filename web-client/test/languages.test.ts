// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import {
  applyToDocument,
  CATALOGUES,
  COMPLETE_LANGUAGES,
  direction,
  formatDate,
  formatNumber,
  getLanguage,
  initialLanguage,
  LANGUAGES,
  onLanguageChange,
  setLanguage,
  STORAGE_KEY,
  t,
} from '../src/i18n';

// jsdom replaces the global URL, so paths are built from the file path, not new URL().
const SRC = join(dirname(fileURLToPath(import.meta.url)), '../src');
const englishKeys = Object.keys(en).sort();

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

afterEach(() => setLanguage('en', null));

describe('the catalogues', () => {
  it('English, Arabic, French and Albanian are complete', () => {
    expect([...COMPLETE_LANGUAGES].sort()).toEqual(['ar', 'en', 'fr', 'sq']);
  });

  for (const language of COMPLETE_LANGUAGES) {
    it(`${language} has exactly the English keys, none empty`, () => {
      const catalogue = CATALOGUES[language];
      expect(Object.keys(catalogue).sort()).toEqual(englishKeys);
      expect(Object.entries(catalogue).filter(([, v]) => !v?.trim())).toEqual([]);
    });
  }

  for (const language of LANGUAGES.filter((l) => !COMPLETE_LANGUAGES.includes(l))) {
    it(`${language} has only known keys, none empty, and the main screens`, () => {
      const catalogue = CATALOGUES[language];
      const keys = Object.keys(catalogue);
      expect(keys.filter((k) => !(k in en))).toEqual([]);
      expect(Object.entries(catalogue).filter(([, v]) => !v?.trim())).toEqual([]);
      const mainScreens = englishKeys.filter((k) => /^(login|invite|profile|nav)\./.test(k));
      expect(mainScreens.filter((k) => !keys.includes(k))).toEqual([]);
    });
  }

  it('translations other than English say that they await review by a native speaker', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      const source = readFileSync(join(SRC, `i18n/${language}.ts`), 'utf8');
      expect(source.split('\n').slice(0, 3).join(' '), language).toMatch(/awaits review by a native speaker/);
    }
  });
});

describe('t()', () => {
  it('reads the current language', () => {
    setLanguage('fr', null);
    expect(t('login.title')).toBe('Connexion');
    setLanguage('ar', null);
    expect(t('login.title')).toBe('تسجيل الدخول');
  });

  it('falls back to English, key by key, in a partial catalogue', () => {
    setLanguage('mk', null);
    expect(CATALOGUES.mk['admin.addCity']).toBeUndefined();
    expect(t('admin.addCity')).toBe(en['admin.addCity']);
    expect(t('login.title')).toBe('Најава');
  });
});

describe('the current language', () => {
  it('is the one chosen on this device, else the browser’s, else English', () => {
    expect(initialLanguage({ storage: memoryStorage({ [STORAGE_KEY]: 'sq' }), browserLanguages: ['fr'] })).toBe('sq');
    expect(initialLanguage({ storage: memoryStorage(), browserLanguages: ['de-DE', 'fr-BE'] })).toBe('fr');
    expect(initialLanguage({ storage: memoryStorage({ [STORAGE_KEY]: 'xx' }), browserLanguages: ['de'] })).toBe('en');
  });

  it('switches, tells subscribers, remembers the choice and sets <html lang dir>', () => {
    const storage = memoryStorage();
    const seen: string[] = [];
    const stop = onLanguageChange((l) => seen.push(l));
    setLanguage('ar', storage);
    expect(getLanguage()).toBe('ar');
    expect(storage.data.get(STORAGE_KEY)).toBe('ar');
    expect(document.documentElement.lang).toBe('ar');
    expect(document.documentElement.dir).toBe('rtl');
    setLanguage('fr', storage);
    expect(document.documentElement.dir).toBe('ltr');
    stop();
    expect(seen).toEqual(['ar', 'fr']);
  });

  it('ignores a language without a catalogue', () => {
    setLanguage('fr', null);
    setLanguage('sw', null);
    expect(getLanguage()).toBe('fr');
    applyToDocument();
    expect(document.documentElement.lang).toBe('fr');
  });

  it('is written right to left for Arabic and Urdu only', () => {
    expect(direction('ar')).toBe('rtl');
    expect(direction('ur')).toBe('rtl');
    expect(direction('fr')).toBe('ltr');
    expect(direction('en')).toBe('ltr');
    expect(direction('mk')).toBe('ltr');
  });
});

describe('dates and numbers', () => {
  const iso = '2026-03-05T14:30:00Z';

  it('format per locale', () => {
    expect(formatDate(iso, 'ar')).not.toBe(formatDate(iso, 'en'));
    expect(formatDate(iso, 'fr')).not.toBe(formatDate(iso, 'en'));
    expect(formatDate(iso, 'fr')).toMatch(/mars/);
    expect(formatNumber(1234.5, 'fr')).not.toBe(formatNumber(1234.5, 'en'));
  });

  it('follow the current language by default', () => {
    setLanguage('fr', null);
    expect(formatDate(iso)).toBe(formatDate(iso, 'fr'));
  });
});

describe('the style sheet', () => {
  it('uses logical properties only, so right-to-left mirrors the layout', () => {
    const css = readFileSync(join(SRC, 'styles.css'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '');
    const physical = css.match(/(^|[\s;{])((margin|padding|border)-(left|right)|left|right|text-align:\s*(left|right)|float:\s*(left|right))\s*:?/gm);
    expect(physical).toBeNull();
  });
});
