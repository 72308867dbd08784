import { FREQUENCIES, MS_IND_FIELDS } from '../metadata';

// What a harvester reads from a remote catalog, whatever its kind (CKAN or DCAT): one shape, so
// filing it here is the same code for both.

/** A resource of a remote dataset. */
export interface RemoteResource {
  url: string;
  name: string;
  format: string;
}

/** One dataset of a remote catalog, mapped to our fields. */
export interface RemoteDataset {
  /** The remote's stable identifier (CKAN `id`, DCAT `dct:identifier` or the dataset's IRI). */
  id: string;
  /** CKAN `name` (what `package_list` lists); null for DCAT. */
  name: string | null;
  title: string;
  description: string;
  title_en?: string;
  description_en?: string;
  tags: string[];
  license: string | null;
  frequency: string | null;
  topic: string | null;
  metadata: Record<string, string>;
  modified: Date | null;
  /** The dataset's page on the remote portal (the link back). */
  landing: string | null;
  /** The CSV/XLSX resource loaded as the table, if any. */
  table: RemoteResource | null;
  /** Everything else, kept as links. */
  links: RemoteResource[];
}

/** One pass over a remote catalog. */
export interface RemoteListing {
  /** Datasets to look at (on a CKAN re-harvest: those modified since the last good run). */
  datasets: RemoteDataset[];
  /**
   * Whatever identifies every dataset the remote still publishes (CKAN names, DCAT identifiers),
   * or null when the listing could not be had whole: then nothing is retracted on this run.
   */
  present: Set<string> | null;
  /** Things worth telling the walidata about the listing (a short page, a count that did not add up). */
  notes: Array<{ id: string; en: string }>;
}

const TABLE_FORMATS = new Map<string, 'csv' | 'xlsx'>([
  ['csv', 'csv'], ['text/csv', 'csv'], ['application/csv', 'csv'],
  ['xlsx', 'xlsx'], ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
]);

/** csv / xlsx when a resource is a table the loader reads (by format, media type or file name), else null. */
export function tableKind(format: string | null | undefined, mediaType: string | null | undefined, url: string): 'csv' | 'xlsx' | null {
  for (const v of [format, mediaType]) {
    const k = v ? TABLE_FORMATS.get(v.trim().toLowerCase().replace(/^.*\/(?=csv$|xlsx$)/, '')) : undefined;
    if (k) return k;
  }
  try {
    const ext = /\.(csv|xlsx)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
    return (ext as 'csv' | 'xlsx' | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Splits resources into the table (the first CSV, else the first XLSX) and links. */
export function pickTable(resources: RemoteResource[], kinds: Array<'csv' | 'xlsx' | null>): { table: RemoteResource | null; links: RemoteResource[] } {
  let at = kinds.indexOf('csv');
  if (at < 0) at = kinds.indexOf('xlsx');
  return { table: at >= 0 ? resources[at] : null, links: resources.filter((_r, i) => i !== at) };
}

/** A remote time (CKAN writes UTC without a zone designator) as a Date, or null. */
export function remoteTime(v: unknown): Date | null {
  if (typeof v !== 'string' || !v.trim()) return null;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(v.trim()) || /^\d{4}-\d\d-\d\d$/.test(v.trim()) ? v.trim() : `${v.trim()}Z`;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A frequency we know, from our own word or a common English one. */
export function frequencyOf(v: string | null | undefined): string | null {
  if (!v) return null;
  const s = v.trim().toLowerCase();
  if ((FREQUENCIES as readonly string[]).includes(s)) return s;
  const en: Record<string, string> = {
    daily: 'harian', weekly: 'mingguan', monthly: 'bulanan', quarterly: 'triwulanan', semiannual: 'semesteran', biannual: 'semesteran',
    annual: 'tahunan', annually: 'tahunan', yearly: 'tahunan', biennial: 'dua_tahunan', irregular: 'ad_hoc', irreg: 'ad_hoc',
  };
  return en[s] ?? null;
}

/** MS-Ind fields carried as `ms_ind_<field>` (our own CKAN extras). */
export function msIndFrom(extras: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of MS_IND_FIELDS) {
    const v = extras[`ms_ind_${f}`];
    if (v) out[f] = v.slice(0, 4000);
  }
  return out;
}
