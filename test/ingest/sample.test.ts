import { testWorld } from '../support/world';
import { load, types } from '../support/ingest';
import { HEAD_BYTES } from '../../server/ingest/sniff';

const t = testWorld();

const pad = (n: number) => String(n).padStart(2, '0');
/** A dd/mm/yyyy date of 2024 for row i, days with their leading zero (01..28). */
const dmy = (i: number) => `${pad((i % 28) + 1)}/${pad((i % 12) + 1)}/2024`;

describe('types inferred from a sample of the whole file', () => {
  it('recognises a dd/mm/yyyy column whose days have a leading zero as a date, not a code', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `Desa ${i},${dmy(i)}`);
    const l = await load(t.svc, t.w, `nama,tanggal_verifikasi\n${rows.join('\n')}\n`);
    expect(l.report.errors).toEqual([]);
    expect(types(l)).toEqual([['nama', 'text'], ['tanggal_verifikasi', 'date']]);
    expect(l.rows.slice(0, 2).map((r) => r.tanggal_verifikasi)).toEqual(['2024-01-01', '2024-02-02']);
  });

  it('infers a column that is empty in the first rows from rows in the middle of the file', async () => {
    // Rows past the sniffed head and before the tail hold the only values of two columns.
    const rows: string[] = [];
    let size = 0;
    for (let i = 0; size < HEAD_BYTES * 2.5; i++) {
      const middle = size > HEAD_BYTES * 1.1 && size < HEAD_BYTES * 2.3;
      rows.push(middle ? `Desa ${i},${dmy(i)},${i % 1000}` : `Desa ${i},,`);
      size += rows[rows.length - 1].length + 1;
    }
    const l = await load(t.svc, t.w, `nama,tanggal_verifikasi,jumlah_pengunjung\n${rows.join('\n')}\n`);
    expect(l.report.errors).toEqual([]);
    expect(types(l)).toEqual([['nama', 'text'], ['tanggal_verifikasi', 'date'], ['jumlah_pengunjung', 'integer']]);
    const first = rows.findIndex((r) => !r.endsWith(',,'));
    expect(l.rows[first]).toMatchObject({ tanggal_verifikasi: `2024-${pad((first % 12) + 1)}-${pad((first % 28) + 1)}`, jumlah_pengunjung: first % 1000 });
    expect(l.rows).toHaveLength(rows.length);
  });
});
