import { z } from 'zod';
import { FACET_FIELDS } from '../../../queries/package-search';
import { modifiedSince } from '../../parse';

// The inputs of the CKAN actions. Values come as strings from a query string or typed from a
// JSON body (ckanapi's POST), so numbers, booleans and lists accept both forms, as CKAN does.

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === 'True' || v === '1' || v === 'yes');

/** A list given as a JSON array, a JSON string of one, or a comma-separated string. */
const list = <T extends string>(item: z.ZodType<T>) =>
  z.union([z.array(item), z.string()]).transform((v, ctx): T[] => {
    if (Array.isArray(v)) return v;
    const s = v.trim();
    if (s.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(s);
        const r = z.array(item).safeParse(parsed);
        if (r.success) return r.data;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'not a JSON list of strings' });
      return z.NEVER;
    }
    const parts = s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
    const r = z.array(item).safeParse(parts);
    if (r.success) return r.data;
    ctx.addIssue({ code: 'custom', message: `unknown value in ${parts.join(', ')}` });
    return z.NEVER;
  });

const id = z.string().trim().min(1).max(200);

export const packageListInput = z.object({
  limit: int(0, 100_000).optional(),
  offset: int(0, 10_000_000).default(0),
});

export const packageSearchInput = z.object({
  q: z.string().max(1000).optional(),
  fq: z.string().max(4000).optional(),
  fq_list: list(z.string().max(1000)).optional(),
  rows: int(0, 1000).default(10),
  start: int(0, 10_000_000).default(0),
  sort: z.string().max(200).optional(),
  'facet.field': list(z.enum(FACET_FIELDS)).default([]),
  'facet.limit': z.coerce.number().int().min(-1).max(1000).default(50),
  'facet.mincount': int(0, 1_000_000).default(1),
  facet: bool.default(true),
  include_private: bool.default(false),
  include_drafts: bool.optional(),
  /** Like the DCAT catalog's: only datasets changed since then (an fq metadata_modified range in CKAN terms). */
  modified_since: modifiedSince.optional(),
});

export const idInput = z.object({ id });

export const showOrgInput = z.object({
  id,
  include_datasets: bool.default(false),
});

export const groupListInput = z.object({
  all_fields: bool.default(false),
  sort: z.string().max(100).optional(),
  limit: int(0, 1000).optional(),
  offset: int(0, 1_000_000).default(0),
  groups: list(z.string().max(200)).optional(),
  organizations: list(z.string().max(200)).optional(),
});

export const tagListInput = z.object({
  query: z.string().max(100).optional(),
  all_fields: bool.default(false),
});

export const helpInput = z.object({ name: z.string().max(100) });

/** A filter value of datastore_search: a scalar or a list of scalars. */
const filterValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))]);

export const datastoreSearchInput = z.object({
  resource_id: id,
  filters: z
    .union([z.record(z.string(), filterValue), z.string()])
    .transform((v, ctx) => {
      if (typeof v !== 'string') return v;
      try {
        const r = z.record(z.string(), filterValue).safeParse(JSON.parse(v));
        if (r.success) return r.data;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'filters must be a JSON object' });
      return z.NEVER;
    })
    .optional(),
  q: z.string().max(200).optional(),
  limit: int(0, 10_000).default(100),
  offset: int(0, 100_000_000).default(0),
  sort: z.string().max(500).optional(),
  fields: list(z.string().max(100)).optional(),
  include_total: bool.default(true),
  records_format: z.enum(['objects', 'lists', 'csv', 'tsv']).default('objects'),
  distinct: bool.optional(),
  plain: bool.optional(),
  language: z.string().max(20).optional(),
});
