import type { VersionRow } from '../../server/db/rows';
import type { LoadOptions } from '../../server/ingest/options';
import type { Report } from '../../server/ingest/report';
import { makeDataset, uploadContent, type World } from './factories';
import type { TestServices } from './services';

/** A loaded (or failed) version with what the tests look at. */
export interface Loaded {
  v: Omit<VersionRow, 'dialect'> & { dialect: Record<string, unknown> };
  slug: string;
  report: Report;
  columns: Array<{ name: string; label: string; type: string; role: string; unit: string | null; ref_scheme: string | null }>;
  rows: Array<Record<string, unknown>>;
}

/** The `datastore` tables of a version (any load attempt): none may exist after a refused file. */
export async function versionTables(svc: TestServices, versionId: number): Promise<string[]> {
  const rows = await svc.db('information_schema.tables')
    .where('table_schema', 'datastore')
    .andWhere('table_name', 'like', `v${versionId}\\_%`)
    .pluck('table_name');
  return rows as string[];
}

/** The version's row, columns and table rows (in file order). */
export async function inspect(svc: TestServices, versionId: number, slug: string): Promise<Loaded> {
  const v = await svc.db('versions').where({ id: versionId }).first();
  const columns = await svc.db('version_columns').where({ version_id: versionId }).orderBy('position')
    .select('name', 'label', 'type', 'role', 'unit', 'ref_scheme');
  const rows = v.table_name
    ? (await svc.db.raw('SELECT * FROM ?? ORDER BY "_id"', [`datastore.${v.table_name}`])).rows
    : [];
  return { v, slug, report: v.report, columns, rows };
}

/** Uploads `content` as a new dataset's first version by the world's producer, loads it inline, inspects it. */
export async function load(
  svc: TestServices,
  w: World,
  content: string | Buffer,
  filename = 'data.csv',
  options: LoadOptions = {},
): Promise<Loaded> {
  const ds = await makeDataset(svc, w.producer, w.opd.slug);
  const v = await uploadContent(svc, w.producer.actor, ds.slug, content, filename, options);
  return inspect(svc, v.id, ds.slug);
}

/** Row values without the `_id`, for compact comparisons. */
export function values(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map(({ _id, ...rest }) => rest);
}

/** The types of the columns as [name, type] pairs. */
export function types(l: Loaded): Array<[string, string]> {
  return l.columns.map((c) => [c.name, c.type]);
}
