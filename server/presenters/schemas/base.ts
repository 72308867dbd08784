import { z } from 'zod';

// The shapes of what the JSON API answers (SPEC §5), as zod schemas, one file per part of the API:
// catalog.ts (datasets and what they are made of), versions.ts (versions, reports, diffs),
// management.ts (review, releases, data lists, scorecards, requests, tokens) and exchange.ts
// (pulled sources, webhooks, harvests); index.ts gathers them. The presenters are typed by them
// (their return types are these schemas' inputs), and the OpenAPI document is generated from them
// (server/routes/api/openapi.ts): a field the presenters add without a schema here does not
// compile, and the API tests check every real answer against the generated document.
//
// Every description is in both languages: `description` in English (what OpenAPI tools show)
// and `x-description-id` in Bahasa Indonesia; /api/docs shows the reader's language.

/** Metadata of a schema or field in both languages. */
export function doc(id: string, en: string, extra: Record<string, unknown> = {}) {
  return { description: en, 'x-description-id': id, ...extra };
}

/** A point in time: a Date in the presenters, an ISO 8601 string on the wire. */
export const timestamp = z.codec(z.union([z.date(), z.string()]), z.iso.datetime({ offset: true }), {
  decode: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  encode: (s) => s,
});
/** A calendar day, `YYYY-MM-DD`. */
export const day = z.iso.date();

/** A named schema (an OpenAPI component) with its description in both languages. */
export const named = <S extends z.ZodType>(name: string, schema: S, idText: string, en: string): S => schema.meta({ id: name, ...doc(idText, en) });

export const errorSchema = named(
  'Error',
  z.object({
    error: z.object({
      code: z.string().meta(doc('Kode galat yang stabil, mis. `invalid`, `not_found`.', 'Stable error code, e.g. `invalid`, `not_found`.')),
      message: z.string().meta(doc('Pesan dalam bahasa pembaca.', 'Message in the reader’s language.')),
      message_en: z.string().optional(),
      details: z.unknown().optional(),
    }).loose(),
  }),
  'Galat: kode, pesan dan rinciannya.',
  'An error: code, message and details.',
);

/** How other records name an organization, a topic or a dataset. */
export const orgRef = z.object({ slug: z.string(), name: z.string(), short_name: z.string().nullable() });

export const topicRef = z.object({ slug: z.string(), name: z.string() });

export const datasetRef = z.object({ slug: z.string(), title: z.string(), url: z.url() });
