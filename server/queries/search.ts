import type { Knex } from 'knex';
import type { DatasetJoinedRow } from '../db/rows';
import type { Actor } from '../policies/actor';
import { visibleDatasetsScope } from '../policies/dataset';
import { datasetQuery } from './datasets';
import { bandRange, QUALITY_BANDS, type QualityBand } from '../quality/score';

/** The sorts of the catalog; `relevance` needs words to rank by. */
export const SEARCH_SORTS = ['relevance', 'newest', 'downloads', 'views', 'quality', 'title'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export interface SearchParams {
  q?: string;
  organization?: string;
  topic?: string;
  tag?: string;
  frequency?: string;
  /** A year the current version covers. */
  year?: number;
  /** `provinsi` or `kabupaten_kota`: the level of the regions the table has rows for. */
  region?: string;
  /** A quality band: `80` (≥ 80), `60` (60–79), `0` (below 60). */
  quality?: string;
  /** `dasar`, `sektoral` or `khusus`. */
  statistics_class?: string;
  sort?: SearchSort;
  page: number;
  per_page: number;
}

export interface Facet {
  key: string;
  label: string;
  count: number;
}

/** A facet of the catalog: how it narrows a search and how it counts what is left. */
interface FacetDef {
  key: string;
  /** Narrows the query to the chosen value (`d` is the datasets alias). */
  where(qb: Knex.QueryBuilder, value: string, db: Knex): void;
  /** Counts per value over the filtered datasets (`base` has the alias `d`). */
  counts(base: () => Knex.QueryBuilder, db: Knex, lang: string): Knex.QueryBuilder;
}

/**
 * The facets, in the sidebar's order. A new one (e.g. a statistics class or a quality band)
 * is one more entry here and one more field in the search schema.
 */
export const FACETS: FacetDef[] = [
  {
    key: 'organization',
    where: (qb, v, db) => void qb.whereIn('d.organization_id', db('organizations').select('id').where('slug', v)),
    counts: (base, db) =>
      base()
        .join('organizations as o', 'o.id', 'd.organization_id')
        .groupBy('o.slug', 'o.name', 'o.short_name')
        .select('o.slug as key', db.raw('coalesce(o.short_name, o.name) as label'), db.raw('count(*)::int as count'))
        .orderBy('count', 'desc')
        .orderBy('label'),
  },
  {
    key: 'topic',
    where: (qb, v, db) => void qb.whereIn('d.topic_id', db('topics').select('id').where('slug', v)),
    counts: (base, db, lang) =>
      base()
        .join('topics as t', 't.id', 'd.topic_id')
        .groupBy('t.slug', 't.name_id', 't.name_en')
        .select('t.slug as key', `t.${lang === 'en' ? 'name_en' : 'name_id'} as label`, db.raw('count(*)::int as count'))
        .orderBy('count', 'desc')
        .orderBy('label'),
  },
  {
    key: 'tag',
    where: (qb, v) => void qb.whereRaw('? = ANY(d.tags)', [v.toLowerCase()]),
    counts: (base, db) =>
      db
        .from(base().select(db.raw('unnest(d.tags) as tag')).as('x'))
        .groupBy('tag')
        .select('tag as key', 'tag as label', db.raw('count(*)::int as count'))
        .orderBy('count', 'desc')
        .orderBy('tag')
        .limit(30),
  },
  {
    key: 'frequency',
    where: (qb, v) => void qb.where('d.frequency', v),
    counts: (base, db) =>
      base().groupBy('d.frequency').select('d.frequency as key', 'd.frequency as label', db.raw('count(*)::int as count')).orderBy('count', 'desc'),
  },
  {
    key: 'year',
    where: (qb, v) => void qb.whereRaw('d.years @> ?::int', [Number(v)]),
    // Each year any current version covers, newest first (the last 15 at most).
    counts: (base, db) =>
      db
        .from(base().whereNotNull('d.years').select(db.raw('generate_series(lower(d.years), upper(d.years) - 1) as y')).as('x'))
        .groupBy('y')
        .select(db.raw('y::text as key'), db.raw('y::text as label'), db.raw('count(*)::int as count'))
        .orderBy('y', 'desc')
        .limit(15),
  },
  {
    key: 'statistics_class',
    where: (qb, v) => void qb.where('d.statistics_class', v),
    counts: (base, db) =>
      base().groupBy('d.statistics_class').select('d.statistics_class as key', 'd.statistics_class as label', db.raw('count(*)::int as count')).orderBy('count', 'desc'),
  },
  {
    key: 'quality',
    where: (qb, v, db) => {
      const [lo, hi] = bandRange((QUALITY_BANDS as readonly string[]).includes(v) ? (v as QualityBand) : '0');
      void qb.whereIn('d.id', db('dataset_quality').select('dataset_id').whereBetween('score', [lo, hi]));
    },
    // The bands of the kept scores, best first.
    counts: (base, db) =>
      base()
        .join('dataset_quality as dqf', 'dqf.dataset_id', 'd.id')
        .select(db.raw(`${BAND_SQL} AS key`), db.raw(`${BAND_SQL} AS label`), db.raw('count(*)::int as count'))
        .groupByRaw('1, 2')
        .orderByRaw('1 DESC'),
  },
  {
    key: 'region',
    where: (qb, v) => void qb.whereRaw('? = ANY(d.region_levels)', [v]),
    counts: (base, db) =>
      db
        .from(base().select(db.raw('unnest(d.region_levels) as level')).as('x'))
        .whereIn('level', ['provinsi', 'kabupaten_kota'])
        .groupBy('level')
        .select('level as key', 'level as label', db.raw('count(*)::int as count'))
        .orderBy('count', 'desc'),
  },
];

/** The band key of a kept quality score (`dqf`): 80, 60 or 0. */
const BAND_SQL = "(CASE WHEN dqf.score >= 80 THEN '80' WHEN dqf.score >= 60 THEN '60' ELSE '0' END)";

/** The full-text query of the reader's words: stemmed in Bahasa Indonesia, or in English. */
const TSQUERY = "(websearch_to_tsquery('satudata_id', ?) || websearch_to_tsquery('english', ?))";

/** The words of a query that partial matching looks for (three letters or more). */
function words(q: string): string[] {
  return q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3)
    .slice(0, 8);
}

/** A text for LIKE/ILIKE, its wildcards (`%`, `_`) and backslash taken literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Matches a dataset by its stemmed words, or by every word appearing within its names (partial words). */
function matchWords(qb: Knex.QueryBuilder, q: string): void {
  const parts = words(q);
  qb.where((w) => {
    w.whereRaw(`d.search @@ ${TSQUERY}`, [q, q]);
    if (parts.length) {
      w.orWhere((p) => {
        for (const part of parts) p.whereRaw('d.search_text LIKE ?', [`%${escapeLike(part)}%`]);
      });
    }
  });
}

export interface SearchResult {
  rows: DatasetJoinedRow[];
  total: number;
  facets: Record<string, Facet[]>;
  /** When the words found nothing: the nearest words the catalog has, and whether the results are theirs. */
  suggestion: { q: string; applied: boolean } | null;
}

/**
 * Datasets the actor may see, filtered, sorted and paged, with facet counts over the result (of
 * what the actor may see only). When the words find nothing, the nearest words the visible
 * catalog has (pg_trgm) are tried instead and offered as "did you mean".
 */
export async function searchDatasets(
  db: Knex,
  actor: Actor | null,
  p: SearchParams,
  opts: { publicOnly?: boolean; lang?: string; suggestions?: 'apply' | 'offer' } = {},
): Promise<SearchResult> {
  const first = await run(db, actor, p, opts);
  const q = p.q?.trim();
  if (first.total > 0 || !q) return { ...first, suggestion: null };
  const better = await suggest(db, actor, q, opts);
  if (!better) return { ...first, suggestion: null };
  if (opts.suggestions === 'offer') return { ...first, suggestion: { q: better, applied: false } };
  const second = await run(db, actor, { ...p, q: better }, opts);
  if (second.total === 0) return { ...first, suggestion: null };
  return { ...second, suggestion: { q: better, applied: true } };
}

async function run(db: Knex, actor: Actor | null, p: SearchParams, opts: { publicOnly?: boolean; lang?: string }) {
  const q = p.q?.trim();
  const chosen = p as unknown as Record<string, unknown>;
  const filtered = (qb: Knex.QueryBuilder) => {
    qb.modify(visibleDatasetsScope(actor, opts));
    if (q) matchWords(qb, q);
    for (const f of FACETS) {
      const v = chosen[f.key];
      if (v !== undefined && v !== null && v !== '') f.where(qb, String(v), db);
    }
  };

  const list = datasetQuery(db).modify(filtered);
  const sort = p.sort ?? (q ? 'relevance' : 'newest');
  if (sort === 'relevance' && q) {
    // Title words first, then the weighted rank (A title … D column labels), then near spellings.
    list.orderByRaw(`(d.title ILIKE ?) DESC, ts_rank(d.search, ${TSQUERY}) DESC, word_similarity(?, d.search_text) DESC`, [
      `%${escapeLike(q)}%`, q, q, q,
    ]);
  } else if (sort === 'title') list.orderBy('d.title', 'asc');
  else if (sort === 'downloads') list.orderBy('d.download_count', 'desc');
  else if (sort === 'views') list.orderBy('d.view_count', 'desc');
  else if (sort === 'quality') list.orderByRaw('dq.score DESC NULLS LAST');
  list.orderByRaw('coalesce(cv.published_at, d.updated_at) DESC').orderBy('d.id', 'desc');
  list.limit(p.per_page).offset((p.page - 1) * p.per_page);

  const base = () => db('datasets as d').modify(filtered);
  const lang = opts.lang ?? 'id';
  const [rows, [{ total }], ...counts] = await Promise.all([
    list,
    base().count<{ total: number }[]>({ total: '*' }),
    ...FACETS.map((f) => f.counts(base, db, lang)),
  ]);
  const facets = Object.fromEntries(FACETS.map((f, i) => [f.key, counts[i] as Facet[]]));
  return { rows: rows as DatasetJoinedRow[], total: Number(total), facets };
}

/**
 * The query with each word that the visible catalog does not have replaced by the most similar
 * word it has (trigram similarity), or null when nothing close enough exists.
 */
export async function suggest(db: Knex, actor: Actor | null, q: string, opts: { publicOnly?: boolean } = {}): Promise<string | null> {
  const parts = q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
  if (!parts.length) return null;
  const vocabulary = db
    .from(db('datasets as d').modify(visibleDatasetsScope(actor, opts)).select(db.raw("regexp_split_to_table(d.search_text, '[^[:alnum:]]+') as w")).as('v'))
    .whereRaw('length(w) >= 3')
    .distinct('w');
  const out: string[] = [];
  let changed = false;
  for (const part of parts) {
    const [near] = await db
      .from(vocabulary.clone().as('x'))
      .select('w', db.raw('similarity(w, ?) as s', [part]))
      .whereRaw('similarity(w, ?) >= 0.35', [part])
      .orderBy([{ column: 's', order: 'desc' }, { column: 'w' }])
      .limit(1);
    if (near && near.w !== part) {
      const exact = await db.from(vocabulary.clone().as('x')).where('w', part).first();
      if (!exact) {
        out.push(near.w as string);
        changed = true;
        continue;
      }
    }
    out.push(part);
  }
  return changed ? out.join(' ') : null;
}
