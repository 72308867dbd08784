import { stringify } from 'csv-stringify/sync';
import type { ColumnRow, DatasetJoinedRow } from '../db/rows';
import type { ExportDigest } from '../queries/export-csv';
import { licenseInfo } from './license';

// A Frictionless Data Package 2.0 of a dataset's current version: its CSV download as a table
// resource with a full dialect and Table Schema, and the region reference codes it points at.

const PROFILE = 'https://datapackage.org/profiles/2.0';
const TYPES: Record<string, string> = { integer: 'integer', number: 'number', text: 'string', date: 'date', year: 'year', boolean: 'boolean' };

/** The dialect of the portal's CSV downloads (PostgreSQL COPY … CSV HEADER). */
export const CSV_DIALECT = {
  $schema: `${PROFILE}/tabledialect.json`,
  header: true,
  headerRows: [1],
  delimiter: ',',
  lineTerminator: '\n',
  quoteChar: '"',
  doubleQuote: true,
  skipInitialSpace: false,
};

/** The name of the reference-codes resource inside every package. */
export const REFERENCE_RESOURCE = 'wilayah';

interface Stats {
  nulls?: number;
  distinct?: number | null;
  approximate?: boolean;
  top?: Array<{ value: string; count: number }>;
}

const ENUM_MAX = 12;

/** A column as a Table Schema field, with the constraints its loaded values prove. */
function field(c: ColumnRow, rows: number) {
  const s = (c.stats ?? {}) as Stats;
  const exact = !s.approximate && rows > 0;
  const constraints: Record<string, unknown> = {};
  if (exact && s.nulls === 0) constraints.required = true;
  if (exact && s.nulls === 0 && s.distinct === rows && rows > 1 && c.role !== 'measure') constraints.unique = true;
  if (exact && c.type === 'text' && c.role === 'dimension' && s.top && s.distinct != null && s.distinct <= ENUM_MAX && s.top.length === s.distinct && s.nulls === 0) {
    constraints.enum = s.top.map((t) => t.value).sort();
  }
  return {
    name: c.name,
    title: c.label,
    type: TYPES[c.type] ?? 'string',
    ...(c.description ? { description: c.description } : {}),
    ...(Object.keys(constraints).length ? { constraints } : {}),
    ...(c.unit ? { 'satudata:unit': c.unit } : {}),
    'satudata:role': c.role,
    ...(c.ref_scheme ? { 'satudata:ref_scheme': c.ref_scheme } : {}),
  };
}

export interface PackageInput {
  dataset: DatasetJoinedRow;
  version: { number: number; published_at: Date | string | null; row_count: number | string | null };
  columns: ColumnRow[];
  digest: ExportDigest | null;
  primaryKey: string[];
  reference: { digest: ExportDigest };
  base: string;
}

/** The data package descriptor (plain JSON). */
export function presentDataPackage(p: PackageInput) {
  const d = p.dataset;
  const page = `${p.base}/dataset/${d.slug}`;
  const lic = licenseInfo(d.license);
  const rows = Number(p.version.row_count ?? 0);
  const regionColumns = p.columns.filter((c) => c.role === 'region' && c.ref_scheme);
  return {
    $schema: `${PROFILE}/datapackage.json`,
    name: d.slug,
    id: `${p.base}/dataset/${d.slug}`,
    title: d.title,
    ...(d.description ? { description: d.description } : {}),
    version: String(p.version.number),
    ...(p.version.published_at ? { created: new Date(p.version.published_at).toISOString() } : {}),
    homepage: page,
    keywords: d.tags ?? [],
    licenses: [lic.url ? { name: lic.id, path: lic.url, title: lic.title } : { name: lic.id, title: lic.title }],
    ...(d.source ? { sources: [{ title: d.source }] } : {}),
    contributors: [{ title: d.org_name, roles: ['publisher'], path: `${p.base}/organization/${d.org_slug}` }],
    resources: [
      {
        name: d.slug,
        type: 'table',
        title: d.title,
        path: `${page}/download.csv?version=${p.version.number}`,
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        ...(p.digest ? { bytes: p.digest.bytes, hash: `sha256:${p.digest.sha256}` } : {}),
        dialect: CSV_DIALECT,
        schema: {
          $schema: `${PROFILE}/tableschema.json`,
          fields: p.columns.map((c) => field(c, rows)),
          missingValues: [''],
          ...(p.primaryKey.length ? { primaryKey: p.primaryKey } : {}),
          ...(regionColumns.length
            ? { foreignKeys: regionColumns.map((c) => ({ fields: [c.name], reference: { resource: REFERENCE_RESOURCE, fields: [c.ref_scheme === 'kemendagri' ? 'kode_kemendagri' : 'kode_bps'] } })) }
            : {}),
        },
      },
      {
        name: REFERENCE_RESOURCE,
        type: 'table',
        title: 'Kode wilayah (BPS dan Kemendagri)',
        description: 'Provinsi dan kabupaten/kota dengan kedua skema kode: BPS (statistik) dan Kemendagri (administrasi). Province and regencies/cities with both code schemes.',
        path: `${p.base}/reference/wilayah.csv`,
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        bytes: p.reference.digest.bytes,
        hash: `sha256:${p.reference.digest.sha256}`,
        dialect: CSV_DIALECT,
        schema: {
          $schema: `${PROFILE}/tableschema.json`,
          fields: [
            { name: 'kode_bps', title: 'Kode BPS', type: 'string', constraints: { required: true, unique: true } },
            { name: 'kode_kemendagri', title: 'Kode Kemendagri', type: 'string', constraints: { required: true, unique: true } },
            { name: 'nama', title: 'Nama wilayah', type: 'string', constraints: { required: true } },
            { name: 'level', title: 'Tingkat', type: 'string', constraints: { required: true, enum: ['kabupaten_kota', 'provinsi'] } },
            { name: 'jenis', title: 'Jenis', type: 'string', constraints: { required: true } },
            { name: 'induk_bps', title: 'Kode BPS induk', type: 'string' },
          ],
          missingValues: [''],
          primaryKey: ['kode_bps'],
        },
      },
    ],
  };
}

/** The reference codes as the CSV the package's `wilayah` resource points at. */
export function regionsCsv(regions: Array<{ kode_bps: string; kode_kemendagri: string; nama: string; level: string; jenis: string; induk_bps: string | null }>): string {
  return stringify(
    regions.map((r) => [r.kode_bps, r.kode_kemendagri, r.nama, r.level, r.jenis, r.induk_bps ?? '']),
    { header: true, columns: ['kode_bps', 'kode_kemendagri', 'nama', 'level', 'jenis', 'induk_bps'], record_delimiter: '\n' },
  );
}
