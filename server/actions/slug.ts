import type { Knex } from 'knex';

/** A URL-safe slug from a title: ASCII, lower case, hyphens. */
export function slugify(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return s || 'dataset';
}

/**
 * The slug of `title`, suffixed with -2, -3 … until unused in `datasets`. Call it in the
 * transaction that inserts the dataset: it holds a lock on the base slug until that transaction
 * ends, so that two datasets of one title made at the same moment (in any process) do not both
 * pick the same free slug.
 */
export async function uniqueDatasetSlug(tx: Knex.Transaction, title: string): Promise<string> {
  const base = slugify(title);
  await tx.raw("SELECT pg_advisory_xact_lock(hashtext('satudata:dataset-slug'), hashtext(?))", [base]);
  const taken = new Set<string>(
    (await tx('datasets').where('slug', base).orWhere('slug', 'like', `${base}-%`).pluck('slug')) as string[],
  );
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
