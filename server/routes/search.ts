import { z } from 'zod';

/** The catalog search parameters shared by the search page and `GET /api/v1/datasets`. */
export const datasetSearchSchema = z.object({
  q: z.string().max(200).optional(),
  organization: z.string().max(120).optional(),
  topic: z.string().max(120).optional(),
  tag: z.string().max(60).optional(),
  frequency: z.string().max(30).optional(),
  sort: z.enum(['relevance', 'newest', 'title', 'downloads']).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
