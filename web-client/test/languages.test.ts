// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import {
  applyToDocument,
  CATALOGUES,
  FORMAT_LOCALES,
  formatLocale,
  dateTimeFormat,
  direction,
  formatDate,
  formatDay,
  formatTime,
  hasDateData,
  numberFormat,
  showsRootMonth,
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

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

afterEach(() => setLanguage('en', null));

/** `{name}` placeholders of a string, sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe('the catalogues', () => {
  for (const language of LANGUAGES) {
    it(`${language} has exactly the English keys, in the same order, none empty`, () => {
      const catalogue: Record<string, string> = CATALOGUES[language];
      // Same order as en.ts, so parallel additions to every catalogue merge line by line.
      expect(Object.keys(catalogue)).toEqual(Object.keys(en));
      expect(Object.entries(catalogue).filter(([, v]) => !v.trim())).toEqual([]);
    });

    it(`${language} keeps every placeholder of the English string`, () => {
      const catalogue: Record<string, string> = CATALOGUES[language];
      const differ = Object.entries(en)
        .filter(([key, text]) => placeholders(catalogue[key]).join() !== placeholders(text).join())
        .map(([key]) => key);
      expect(differ).toEqual([]);
    });
  }

  it('are translated, not English left in place, for the Balkan languages', () => {
    // Words these languages share with English, and names kept in every language.
    const shared = new Set(['Liaison', 'E-mail', 'Status', '{name} ({field})', 'Download HTML']);
    for (const language of ['bs', 'mk', 'sr'] as const) {
      const same = Object.entries(en).filter(
        ([key, text]) => !key.startsWith('language.') && /\p{L}/u.test(text) && !shared.has(text) && CATALOGUES[language][key as keyof typeof en] === text,
      );
      expect(same.map(([key]) => key), language).toEqual([]);
    }
  });

  it('are typed so that a missing key fails the build', () => {
    // tsc --noEmit checks each catalogue against Record<MessageKey, string>; this guards the type.
    for (const language of ['bs', 'mk', 'sr']) {
      const source = readFileSync(join(SRC, `i18n/${language}.ts`), 'utf8');
      expect(source, language).toMatch(new RegExp(`export const ${language}: Record<MessageKey, string> =`));
      const documents = readFileSync(join(SRC, `i18n/documents-${language}.ts`), 'utf8');
      expect(documents, language).toMatch(/: Record<keyof typeof documentsEn, string> =/);
    }
  });

  it('Serbian stays in Latin script, Macedonian in Cyrillic', () => {
    const letters = (language: 'sr' | 'mk' | 'bs', script: RegExp) =>
      Object.entries(CATALOGUES[language]).filter(([key, v]) => !key.startsWith('language.') && script.test(v));
    expect(letters('sr', /\p{Script=Cyrillic}/u)).toEqual([]);
    expect(letters('bs', /\p{Script=Cyrillic}/u)).toEqual([]);
    // Macedonian words are Cyrillic; Latin letters only in placeholders and product names.
    const latinWords = Object.entries(CATALOGUES.mk).filter(([key, v]) =>
      !key.startsWith('language.') &&
      /\p{Script=Latin}{3}/u.test(v.replace(/\{\w+\}|Liaison|Markdown|HTML|QR|Enter|Shift|https|http|mailto/g, '')));
    expect(latinWords).toEqual([]);
  });

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
    setLanguage('mk', null);
    expect(t('admin.addCity')).toBe('Додај град');
    setLanguage('sr', null);
    expect(t('kind.announcement')).toBe('Obaveštenja');
    setLanguage('bs', null);
    expect(t('kind.announcement')).toBe('Obavještenja');
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
  const december = '2026-12-05T14:30:00Z';

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

  for (const language of LANGUAGES) {
    it(`${language}: dates show the month by name or number, never ICU's "M12"`, () => {
      const shown = [formatDate(december, language), formatDay(december, new Date(), language), formatTime(december, language)];
      for (const text of shown) expect(text, language).not.toMatch(/\bM\d{1,2}\b/);
      expect(showsRootMonth(shown.join(' '))).toBe(false);
      expect(formatDay(december, new Date(), language)).toMatch(/2026/);
    });
  }

  it('use the language’s own month names where node has them', () => {
    expect(formatDay(december, new Date(), 'sr')).toMatch(/decembar/);
    expect(formatDay(december, new Date(), 'bs')).toMatch(/decembar/);
    expect(formatDay(december, new Date(), 'mk')).toMatch(/декември/);
    expect(formatDay(december, new Date(), 'sq')).toMatch(/dhjetor/);
  });

  it('see through a locale that is listed but has no month names', () => {
    // What Chromium 150 printed for `bs`, which it lists as supported.
    expect(showsRootMonth('2026 M12 5, Sat')).toBe(true);
    expect(showsRootMonth('2026 M1 5 14:30')).toBe(true);
    expect(showsRootMonth('subota, 5. decembar 2026.')).toBe(false);
    expect(showsRootMonth('Mon, 5 Dec 2026')).toBe(false);
    expect(hasDateData('zz')).toBe(false);
    expect(hasDateData('root')).toBe(false);
    for (const language of LANGUAGES) expect(hasDateData(FORMAT_LOCALES[language][0]), language).toBe(true);
  });

  it('fall back to a neighbour as Chromium 150 needs (no sq or mk data, bs without month names)', () => {
    const chromium = (locale: string) => !['sq', 'mk', 'bs'].includes(locale) && hasDateData(locale);
    expect(formatLocale('bs', chromium)).toEqual({ locale: 'sr-Latn', numeric: false });
    expect(formatLocale('mk', chromium)).toEqual({ locale: 'bg', numeric: false });
    expect(formatLocale('sr', chromium)).toEqual({ locale: 'sr-Latn', numeric: false });
    expect(formatLocale('sq', chromium)).toEqual({ locale: 'de', numeric: true });
    expect(formatLocale('fr', chromium)).toEqual({ locale: 'fr', numeric: false });
  });

  it('group and separate decimals the language’s way, also where Chromium lacks the data', () => {
    const chromium = (locale: string) => !['sq', 'mk', 'bs'].includes(locale) && hasDateData(locale);
    const amount = (language: 'bs' | 'mk' | 'sq' | 'sr') =>
      numberFormat({}, language, formatLocale(language, chromium)).format(1234567.5);
    expect(amount('bs')).toBe('1.234.567,5');
    expect(amount('sr')).toBe('1.234.567,5');
    expect(amount('mk').replace(/\s/g, ' ')).toBe('1 234 567,5');
    expect(amount('sq').replace(/\s/g, ' ')).toBe('1 234 567,5');
    const euros = numberFormat({ style: 'currency', currency: 'EUR' }, 'sq', formatLocale('sq', chromium)).format(1234.5);
    expect(euros.replace(/\s/g, ' ')).toBe('1 234,50 €');
    // Where node has the data, each language uses its own locale.
    for (const language of LANGUAGES) expect(formatLocale(language).locale).toBe(FORMAT_LOCALES[language][0]);
    expect(formatNumber(1234567.5, 'mk')).toBe('1.234.567,5');
  });

  it('are numeric with 24-hour time when no locale of the language has data', () => {
    const numeric = formatLocale('sq', () => false);
    const at = new Date(december);
    const utc = { timeZone: 'UTC' } as const;
    expect(dateTimeFormat({ ...utc, dateStyle: 'medium', timeStyle: 'short' }, 'sq', numeric).format(at)).toBe('5.12.2026, 14:30');
    expect(dateTimeFormat({ ...utc, dateStyle: 'full' }, 'sq', numeric).format(at)).toBe('5.12.2026');
    expect(dateTimeFormat({ ...utc, timeStyle: 'short' }, 'sq', numeric).format(at)).toBe('14:30');
    const bosnianInChromium = formatLocale('bs', (l) => l !== 'bs');
    expect(dateTimeFormat({ ...utc, dateStyle: 'full' }, 'bs', bosnianInChromium).format(at)).toBe('subota, 5. decembar 2026.');
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
