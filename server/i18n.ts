import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { problemLabels } from './ingest/problems';

export const LANGS = ['id', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const LOCALES = path.join(__dirname, '..', 'locales');

/**
 * The messages of one language: every `locales/<lang>/*.json` merged (one file per area of the
 * interface, so that parts of the portal can grow their texts side by side), and the short
 * names of the loader's problem codes (`problem.*`) from their catalogue.
 */
export function messages(lang: Lang): Record<string, unknown> {
  const dir = path.join(LOCALES, lang);
  const out: Record<string, unknown> = { problem: problemLabels(lang) };
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const part = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(part)) {
      if (k in out) throw new Error(`locales/${lang}/${file}: key "${k}" is defined twice`);
      out[k] = v;
    }
  }
  return out;
}

const instance = i18next.createInstance();
void instance.init({
  initImmediate: false,
  lng: 'id',
  fallbackLng: 'id',
  resources: { id: { translation: messages('id') }, en: { translation: messages('en') } },
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
