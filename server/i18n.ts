import i18next, { type TFunction } from 'i18next';
import en from '../locales/en.json';
import id from '../locales/id.json';

export const LANGS = ['id', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const instance = i18next.createInstance();
void instance.init({
  initImmediate: false,
  lng: 'id',
  fallbackLng: 'id',
  resources: { id: { translation: id }, en: { translation: en } },
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
});

const cache = new Map<Lang, TFunction>();

/** The translation function of a language (Bahasa Indonesia by default). */
export function translator(lang: Lang): TFunction {
  let t = cache.get(lang);
  if (!t) {
    t = instance.getFixedT(lang);
    cache.set(lang, t);
  }
  return t;
}
