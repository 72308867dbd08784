import { z } from 'zod';
import { zodIssues } from '../actions/action';
import { Invalid } from '../errors';

/** Parses request input with a zod schema; a mismatch is a 400 with the issues in `details`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new Invalid('Masukan tidak valid.', 'Invalid input.', zodIssues(r.error));
  return r.data;
}

/** `filter[col]=v` from a parsed query string (extended parser) as a plain record. */
export function filterParam(q: unknown): Record<string, string | string[]> | undefined {
  if (!q || typeof q !== 'object') return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(q as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map(String);
  }
  return out;
}

/** A `modified_since` parameter: an ISO 8601 date or time, as a Date (DCAT catalog, CKAN package_search). */
export const modifiedSince = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const d = /^\d{4}-\d{2}-\d{2}/.test(s) ? new Date(s) : new Date(NaN);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'modified_since must be an ISO 8601 date or time' });
      return z.NEVER;
    }
    return d;
  });

/** What a form sends for a field that may repeat (checkboxes): none, one or many values, as a list. */
export const formList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === '' ? [] : [String(v)]);
