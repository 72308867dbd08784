import type { Knex } from 'knex';
import type { Actor } from '../policies/actor';
import { Conflict } from '../errors';
import { presentColumn } from '../presenters/version';
import { findVersion, versionColumns } from './datasets';
import type { ExportSelection } from './export-csv';

/** What a download request asks for, parsed by the route. */
export interface DownloadRequest {
  slug: string;
  version?: number;
  selection: ExportSelection;
}

/** The page loader of a download: the version the reader may take, its table and columns. */
export async function loadDownload(db: Knex, actor: Actor | null, r: DownloadRequest) {
  const { dataset, version } = await findVersion(db, actor, r.slug, r.version);
  const table = version.table_name as string | null;
  if (!table) throw new Conflict('Versi ini tidak memiliki tabel data.', 'This version has no data table.');
  const columns = (await versionColumns(db, version.id)).map(presentColumn);
  const selected = Boolean(r.selection.q?.trim() || r.selection.sort || Object.keys(r.selection.filter ?? {}).length);
  const filename = `${dataset.slug}-v${version.number}${selected ? '-pilihan' : ''}${r.selection.dialect === 'excel' ? '-excel' : ''}`;
  return { dataset, version, table, columns, filename, selected };
}
