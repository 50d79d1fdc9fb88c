import { ar } from './ar';
import { bs } from './bs';
import { en, type MessageKey } from './en';
import { fr } from './fr';
import { mk } from './mk';
import { sq } from './sq';
import { sr } from './sr';

export type { MessageKey };

/**
 * The languages the UI has a catalogue for, in the order the language menus offer them. The
 * server accepts more (`me`, `ur`, `sw`); a member whose profile names one of those sees the
 * browser's or the default language until a catalogue exists.
 */
export const LANGUAGES = ['en', 'ar', 'fr', 'sq', 'mk', 'sr', 'bs'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/**
 * Every catalogue is complete: typed `Record<MessageKey, string>` here and in its file, so a key
 * missing in any language fails `tsc --noEmit` (and the build).
 */
export const CATALOGUES: Record<Language, Record<MessageKey, string>> = {
  en,
  ar,
  fr,
  sq,
  mk,
  sr,
  bs,
};

const RTL_LANGUAGES = new Set(['ar', 'ur', 'fa', 'he']);

export const STORAGE_KEY = 'liaison.language';

let current: Language = DEFAULT_LANGUAGE;
const listeners = new Set<(language: Language) => void>();

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** `rtl` for right-to-left scripts (Arabic, Urdu), `ltr` otherwise. */
export function direction(language: string): 'rtl' | 'ltr' {
  return RTL_LANGUAGES.has(language.split('-')[0].toLowerCase()) ? 'rtl' : 'ltr';
}

export function getLanguage(): Language {
  return current;
}

/** Looks up a UI string in the current language. */
export function t(key: MessageKey, language: Language = current): string {
  return CATALOGUES[language][key];
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** The first of the browser's languages we have a catalogue for (matching `fr-BE` to `fr`). */
export function supportedLanguage(candidates: readonly string[]): Language | null {
  for (const candidate of candidates) {
    const base = candidate.split('-')[0].toLowerCase();
    if (isLanguage(base)) return base;
  }
  return null;
}

interface Environment {
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  browserLanguages?: readonly string[];
}

function defaultEnvironment(): Environment {
  const storage = (() => {
    try {
      return typeof localStorage === 'undefined' ? null : localStorage;
    } catch {
      return null; // storage blocked by the browser's privacy settings
    }
  })();
  const browserLanguages =
    typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  return { storage, browserLanguages };
}

/** Before sign-in: the language chosen on this device, else the browser's, else English. */
export function initialLanguage(env: Environment = defaultEnvironment()): Language {
  let stored: string | null = null;
  try {
    stored = env.storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  if (isLanguage(stored)) return stored;
  return supportedLanguage(env.browserLanguages ?? []) ?? DEFAULT_LANGUAGE;
}

/**
 * Switches the UI language: updates `<html lang dir>`, tells subscribers (the app re-renders) and
 * remembers it on this device unless `storage` is null. Unknown languages, e.g. a profile's `ur`
 * before it has a catalogue, are ignored.
 */
export function setLanguage(
  language: string,
  storage: Environment['storage'] = defaultEnvironment().storage,
): void {
  if (!isLanguage(language)) return;
  current = language;
  try {
    storage?.setItem(STORAGE_KEY, language);
  } catch {
    // not remembered on this device; the switch still applies
  }
  applyToDocument();
  for (const listener of listeners) listener(language);
}

export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function applyToDocument(): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = current;
  document.documentElement.dir = direction(current);
}

export const TIERS = ['T0', 'T1', 'T2', 'T3'] as const;
export const ROLES = ['member', 'city-coordinator', 'network-admin'] as const;
export const SECTORS = [
  'law-enforcement',
  'municipality',
  'civil-society',
  'youth-work',
  'education',
  'health',
  'social-services',
  'national-coordination',
  'network-staff',
] as const;

/**
 * Where dates and numbers come from, first choice first. Browsers ship trimmed locale data:
 * Chromium 150 has no `sq` or `mk` (dates came out in US English) and lists `bs` as supported
 * while lacking its month names, so ICU's root pattern shows "2026 M12 5" (and numbers read
 * 1,234.5, the English way round). Each language therefore names neighbours whose dates read
 * naturally to its speakers: Bosnian uses Serbian Latin (the same month names, "decembar"), then
 * Croatian; Macedonian uses Bulgarian (the same Cyrillic month names, "декември"), then Serbian
 * Cyrillic. Serbian is Latin script like our catalogue. When none has data (Albanian has no
 * neighbour), dates are numeric, day.month.year and 24-hour time as written in Albania and the
 * Balkans, with no words in a foreign language. See docs/architecture.md.
 */
export const FORMAT_LOCALES: Record<Language, readonly string[]> = {
  en: ['en-GB'],
  ar: ['ar'],
  fr: ['fr'],
  sq: ['sq'],
  mk: ['mk', 'bg', 'sr-Cyrl'],
  sr: ['sr-Latn', 'bs', 'hr'],
  bs: ['bs', 'sr-Latn', 'hr'],
};
/** Numeric dates only; `de` writes them as 5.12.2026, 14:30. */
const NUMERIC_DATE_LOCALE = 'de';
/** Numbers where dates are numeric: `fr` writes 1 234 567,5 and 1 234,50 €, as Albanian does. */
const NUMERIC_NUMBER_LOCALE = 'fr';

/** Whether a formatted date shows ICU's root-locale month placeholder ("2026 M12 5, Sat"). */
export function showsRootMonth(text: string): boolean {
  return /\bM\d{1,2}\b/.test(text);
}

/** Whether this runtime has real date data for `locale` (names of months, not "M12"). */
export function hasDateData(locale: string): boolean {
  try {
    if (Intl.DateTimeFormat.supportedLocalesOf([locale]).length === 0) return false;
    const december = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' });
    return !showsRootMonth(december.format(Date.UTC(2026, 11, 5)));
  } catch {
    return false; // not a valid language tag here
  }
}

export interface FormatLocale {
  locale: string;
  /** No locale with data: numbers only, never month or weekday names. */
  numeric: boolean;
}

/** The first locale of the language's list that has date data here. */
export function formatLocale(language: Language, usable: (locale: string) => boolean = hasDateData): FormatLocale {
  const found = FORMAT_LOCALES[language].find(usable);
  return found ? { locale: found, numeric: false } : { locale: NUMERIC_DATE_LOCALE, numeric: true };
}

const resolvedFormatLocales = new Map<Language, FormatLocale>();

function numericOptions(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormatOptions {
  const { dateStyle, timeStyle, ...rest } = options;
  return {
    ...rest,
    ...(dateStyle ? { day: 'numeric', month: 'numeric', year: 'numeric' } : {}),
    ...(timeStyle ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
  };
}

/** The one place dates are formatted: the language's date locale, resolved once per language. */
export function dateTimeFormat(
  options: Intl.DateTimeFormatOptions,
  language: Language = current,
  resolved: FormatLocale = resolvedFormatLocale(language),
): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(resolved.locale, resolved.numeric ? numericOptions(options) : options);
}

function resolvedFormatLocale(language: Language): FormatLocale {
  let resolved = resolvedFormatLocales.get(language);
  if (!resolved) {
    resolved = formatLocale(language);
    resolvedFormatLocales.set(language, resolved);
  }
  return resolved;
}

export function formatDate(iso: string, language: Language = current): string {
  return dateTimeFormat({ dateStyle: 'medium', timeStyle: 'short' }, language).format(new Date(iso));
}

/** The one place numbers and money are formatted, in the language's format locale. */
export function numberFormat(
  options: Intl.NumberFormatOptions,
  language: Language = current,
  resolved: FormatLocale = resolvedFormatLocale(language),
): Intl.NumberFormat {
  return new Intl.NumberFormat(resolved.numeric ? NUMERIC_NUMBER_LOCALE : resolved.locale, options);
}

export function formatNumber(value: number, language: Language = current): string {
  return numberFormat({}, language).format(value);
}

/** `t()` with `{name}` placeholders filled in; numbers are formatted for the current language. */
export function tf(key: MessageKey, params: Record<string, string | number>, language: Language = current): string {
  return t(key, language).replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value, language) : value;
  });
}

/** A day heading for date separators: today, yesterday, or the date. */
export function formatDay(iso: string, now: Date = new Date(), language: Language = current): string {
  const d = new Date(iso);
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(now) - day(d)) / 86_400_000);
  if (diff === 0) return t('chat.today', language);
  if (diff === 1) return t('chat.yesterday', language);
  return dateTimeFormat({ dateStyle: 'full' }, language).format(d);
}

export function formatTime(iso: string, language: Language = current): string {
  return dateTimeFormat({ timeStyle: 'short' }, language).format(new Date(iso));
}
