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

/** The slug of `title`, suffixed with -2, -3 … until unused in `datasets`. */
export async function uniqueDatasetSlug(tx: Knex, title: string): Promise<string> {
  const base = slugify(title);
  const taken = new Set<string>(
    (await tx('datasets').where('slug', base).orWhere('slug', 'like', `${base}-%`).pluck('slug')) as string[],
  );
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
