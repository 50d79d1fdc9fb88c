import { en, type MessageKey } from './en';

export type { MessageKey };

/**
 * Looks up a UI string. One catalogue today (English); the web-client issue adds i18next with the
 * network's languages and right-to-left layout behind this same function.
 */
export function t(key: MessageKey): string {
  return en[key];
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
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
export const LANGUAGES = ['en', 'ar', 'fr', 'sq', 'mk', 'sr', 'bs'] as const;

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}
