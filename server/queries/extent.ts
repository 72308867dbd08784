import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { quoteIdent, tableSql } from '../db/datastore';
import type { ColumnRow } from '../db/rows';

/** A region a table covers, with both codes. */
export interface Region {
  kode_bps: string;
  kode_kemendagri: string;
  nama: string;
  level: 'provinsi' | 'kabupaten_kota';
}

/** What a published table covers: regions (from its region columns) and a time span (from its time columns). */
export interface Extent {
  regions: Region[];
  start: { value: string; kind: 'date' | 'year' } | null;
  end: { value: string; kind: 'date' | 'year' } | null;
}

/** The regions and period a loaded version covers (region codes read from the table, times from column stats). */
export async function versionExtent(db: Knex, table: string | null, columns: Pick<ColumnRow, 'name' | 'type' | 'role' | 'ref_scheme' | 'stats'>[]): Promise<Extent> {
  const regions = new Map<string, Region>();
  if (table) {
    for (const c of columns.filter((x) => x.role === 'region' && x.ref_scheme)) {
      const codes: string[] = (await db.raw(`SELECT DISTINCT ${quoteIdent(c.name)}::text AS code FROM ${tableSql(table)} WHERE ${quoteIdent(c.name)} IS NOT NULL LIMIT 200`)).rows.map((r: { code: string }) => r.code);
      if (!codes.length) continue;
      const col = c.ref_scheme === 'kemendagri' ? 'kode_kemendagri' : 'kode_bps';
      const rows: Region[] = await db('wilayah').whereIn(col, codes).select('kode_bps', 'kode_kemendagri', 'nama', 'level');
      for (const r of rows) regions.set(r.kode_bps, r);
    }
  }
  const time = columns.filter((c) => (c.type === 'year' || c.type === 'date') && (c.role === 'time' || c.type === 'year'));
  const pick = (which: 'min' | 'max') => {
    for (const c of time) {
      const v = (c.stats as { min?: unknown; max?: unknown } | null)?.[which];
      if (v !== null && v !== undefined && v !== '') return { value: String(v), kind: c.type === 'date' ? ('date' as const) : ('year' as const) };
    }
    return null;
  };
  return { regions: [...regions.values()].sort((a, b) => a.kode_bps.localeCompare(b.kode_bps)), start: pick('min'), end: pick('max') };
}

/** The province (the top of the reference codes), if loaded. */
export async function provinceRegion(db: Knex): Promise<Region | undefined> {
  return db('wilayah').where({ level: 'provinsi' }).orderBy('kode_bps').first('kode_bps', 'kode_kemendagri', 'nama', 'level');
}

/** All reference regions with both codes, province first. */
export async function allRegions(db: Knex): Promise<Array<Region & { jenis: string; induk_bps: string | null }>> {
  return db('wilayah').orderByRaw("CASE level WHEN 'provinsi' THEN 0 ELSE 1 END").orderBy('kode_bps').select('kode_bps', 'kode_kemendagri', 'nama', 'level', 'jenis', 'induk_bps');
}

/** The bounding box and centre of a region, as WKT (WGS84 longitude latitude). */
export interface RegionGeometry {
  bbox: string;
  centroid: string;
}

let geometries: Map<string, RegionGeometry> | null = null;

/**
 * Bounding boxes and centres of the province and its kabupaten/kota by BPS code, from the
 * boundaries in `seeds/lampung_kabupaten_kota.geojson` (wilayah_boundaries, MIT), read once.
 */
export function regionGeometries(): Map<string, RegionGeometry> {
  if (geometries) return geometries;
  const out = new Map<string, RegionGeometry>();
  const file = path.join(__dirname, '../../seeds/lampung_kabupaten_kota.geojson');
  if (!fs.existsSync(file)) return (geometries = out);
  const geo = JSON.parse(fs.readFileSync(file, 'utf8')) as { features: Array<{ properties: { kode_bps?: string }; geometry: { coordinates: unknown } }> };
  const all = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const wkt = (b: typeof all): RegionGeometry => {
    const f = (n: number) => n.toFixed(5);
    return {
      bbox: `POLYGON((${f(b.minX)} ${f(b.minY)},${f(b.maxX)} ${f(b.minY)},${f(b.maxX)} ${f(b.maxY)},${f(b.minX)} ${f(b.maxY)},${f(b.minX)} ${f(b.minY)}))`,
      centroid: `POINT(${f((b.minX + b.maxX) / 2)} ${f((b.minY + b.maxY) / 2)})`,
    };
  };
  for (const feature of geo.features) {
    const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    const walk = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
        b.minX = Math.min(b.minX, c[0]); b.maxX = Math.max(b.maxX, c[0]);
        b.minY = Math.min(b.minY, c[1]); b.maxY = Math.max(b.maxY, c[1]);
      } else if (Array.isArray(c)) c.forEach(walk);
    };
    walk(feature.geometry.coordinates);
    const code = feature.properties.kode_bps;
    if (!code || !Number.isFinite(b.minX)) continue;
    out.set(code, wkt(b));
    all.minX = Math.min(all.minX, b.minX); all.maxX = Math.max(all.maxX, b.maxX);
    all.minY = Math.min(all.minY, b.minY); all.maxY = Math.max(all.maxY, b.maxY);
  }
  if (Number.isFinite(all.minX)) out.set(code2(out), wkt(all));
  return (geometries = out);
}

/** The province's BPS code: the first two digits its kabupaten/kota codes share. */
function code2(m: Map<string, RegionGeometry>): string {
  const first = [...m.keys()][0] ?? '';
  return first.slice(0, 2);
}
