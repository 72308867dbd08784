import { z } from 'zod';
import { SEARCH_SORTS } from '../queries/search';

/** The catalog search parameters shared by the search page and `GET /api/v1/datasets`. */
export const datasetSearchSchema = z.object({
  q: z.string().max(200).optional(),
  organization: z.string().max(120).optional(),
  topic: z.string().max(120).optional(),
  tag: z.string().max(60).optional(),
  frequency: z.string().max(30).optional(),
  year: z.coerce.number().int().min(1900).max(2200).optional(),
  region: z.enum(['provinsi', 'kabupaten_kota']).optional(),
  sort: z.enum(SEARCH_SORTS).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

/** A search narrowed by nothing but its words (page 1): when it finds nothing, we lack what was asked for. */
export function unfiltered(p: z.output<typeof datasetSearchSchema>): boolean {
  return !p.organization && !p.topic && !p.tag && !p.frequency && p.year === undefined && !p.region && p.page === 1;
}
