import fs from 'node:fs';
import { testWorld } from '../support/world';
import os from 'node:os';
import path from 'node:path';
import { findSplit } from '../../server/ingest/plan/split';
import { load, versionTables } from '../support/ingest';

const t = testWorld({ env: { PARALLEL_LOAD_MIN_MB: '0.000001' } });


beforeAll(async () => {
  // Every clean file from 1 byte on loads in two parts, so small files exercise that path.
});

const HEADER = 'kode_kabupaten_kota,nama_kabupaten_kota,keterangan,nilai,tahun\n';
const row = (i: number, note = `baris ${i}`) => `1801,LAMPUNG BARAT,${note},${i}.5,${2000 + (i % 20)}\n`;
const rows = (n: number, at: (i: number) => string = (i) => row(i)) => Array.from({ length: n }, (_, i) => at(i + 1)).join('');

describe('loading a clean file in two parts at once', () => {
  it('keeps every row, in file order, with ids 1..n', async () => {
    const { v, rows: loaded, report } = await load(t.svc, t.w, HEADER + rows(2000));
    expect(v.dialect).toMatchObject({ path: 'fast', parts: 2 });
    expect(report.errors).toEqual([]);
    expect(Number(v.row_count)).toBe(2000);
    expect(loaded.map((r) => r._id)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(loaded.map((r) => Number(r.nilai))).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1.5));
  });

  it('splits only outside quoted fields, and keeps line numbers right across line breaks in quotes', async () => {
    // A quoted cell with line breaks sits right at the middle; an unknown code comes late.
    const body = rows(1000, (i) => (i === 500 ? row(i, '"catatan\npanjang,\ndengan ""kutip"""') : i === 900 ? row(i).replace('1801', '1899') : row(i)));
    const { v, report } = await load(t.svc, t.w, HEADER + body);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'unknown_region_code', value: '1899', line: 1 + 900 + 2 })]);
    expect(await versionTables(t.svc, v.id)).toEqual([]);
  });

  it('reads quoted cells that straddle the split as one value', async () => {
    const body = rows(999, (i) => (i === 500 ? row(i, '"satu\ndua\ntiga"') : row(i)));
    const { v, rows: loaded } = await load(t.svc, t.w, HEADER + body);
    expect(v.dialect.parts).toBe(2);
    expect(loaded).toHaveLength(999);
    expect(loaded[499].keterangan).toBe('satu\ndua\ntiga');
    expect(loaded[500].keterangan).toBe('baris 501');
    // Ids stay increasing in file order (a gap where a record spans lines is allowed).
    const ids = loaded.map((r) => Number(r._id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('falls back to the validating path when a value in the second part does not fit, with its line', async () => {
    const body = rows(1000, (i) => (i === 800 ? row(i).replace('800.5', 'delapan ratus') : row(i)));
    const { v, report } = await load(t.svc, t.w, HEADER + body);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'type_mismatch', line: 801, column: 'nilai', value: 'delapan ratus' })]);
    expect(v.state).toBe('draft');
    expect(await versionTables(t.svc, v.id)).toEqual([]);
  });
});

describe('finding the split', () => {
  const tmp = (content: string) => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'split-')), 'x.csv');
    fs.writeFileSync(f, content);
    return f;
  };
  it('picks the first line break past the middle outside quotes, counting the lines before it', async () => {
    const text = 'a,b\n'.repeat(10) + '"x\ny",z\n' + 'a,b\n'.repeat(10);
    const f = tmp(text);
    const s = (await findSplit(f, 0, text.length))!;
    expect(text.slice(0, s.at).endsWith('\n')).toBe(true);
    expect((text.slice(0, s.at).match(/"/g) ?? []).length % 2).toBe(0);
    expect(s.linesBefore).toBe((text.slice(0, s.at).match(/\n/g) ?? []).length);
  });
  it('does not split inside a quoted field that spans the middle', async () => {
    const text = 'a,b\n"' + 'x\n'.repeat(20) + '",z\nc,d\n';
    const f = tmp(text);
    const s = (await findSplit(f, 0, text.length))!;
    expect(text.slice(0, s.at).endsWith('",z\n')).toBe(true);
  });
  it('gives up when no boundary follows the middle', async () => {
    const text = 'a\nbcdefgh';
    expect(await findSplit(tmp(text), 0, text.length)).toBeNull();
  });
});
