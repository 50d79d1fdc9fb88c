/**
 * Each language by its own name (endonym), the same in every catalogue, so a person can find
 * their language in the menu whatever the UI currently shows.
 */
export const languageNames = {
  'language.en': 'English',
  'language.ar': 'العربية',
  'language.fr': 'Français',
  'language.sq': 'Shqip',
  'language.mk': 'Македонски',
  'language.sr': 'Srpski',
  'language.bs': 'Bosanski',
} as const;
