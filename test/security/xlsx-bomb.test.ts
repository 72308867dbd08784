import crypto from 'node:crypto';
import { testWorld } from '../support/world';
import fs from 'node:fs';
import path from 'node:path';
import { IsolatedError, IsolatedOutOfMemory, runIsolated } from '../../server/jobs/isolate';
import { load, values, versionTables } from '../support/ingest';
import { testServices } from '../support/services';
import { makeZip, sheetXml, workbookEntries } from '../support/zip';

const t = testWorld({ env: { XLSX_MAX_SHARED_STRINGS_MB: '1' } });


/** Rows without `r` attributes, as some exporters write them: a million rows of empty cells. */
function bombSheet(bytes: number): Buffer {
  const n = 1_000_000;
  const row = `<row>${'<c><v></v></c>'.repeat(Math.ceil(bytes / n / 14))}</row>`;
  const head = sheetXml([]).split('</sheetData>')[0];
  return Buffer.concat([Buffer.from(head), Buffer.from(row.repeat(n)), Buffer.from('</sheetData></worksheet>')]);
}

const derivedFiles = () => {
  const dir = path.join(t.svc.config.storageDir, 'derived');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

describe('XLSX workbooks that unpack to far more than they weigh', () => {
  it('refuses a zip bomb from its directory, before inflating it, and leaves nothing behind', async () => {
    const file = makeZip(workbookEntries(bombSheet(120 * 1024 * 1024)));
    expect(file.length).toBeLessThan(1024 * 1024);
    const before = derivedFiles();
    const l = await load(t.svc, t.w, file, 'bom.xlsx');
    expect(l.v.state).toBe('failed');
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'xlsx_bomb', message: expect.stringContaining('zip bomb') })]);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
    expect(derivedFiles()).toEqual(before);
  });

  it('reads such a sheet as a stream when the ratio limit is lifted: memory stays flat and a report comes back', async () => {
    const lifted = testServices({ env: { XLSX_MAX_RATIO: '100000' } });
    try {
      const file = makeZip(workbookEntries(bombSheet(120 * 1024 * 1024)));
      const rss = process.memoryUsage().rss;
      const l = await load(lifted, t.w, file, 'bom.xlsx');
      // Every row is blank: an empty sheet, not an exhausted heap (xlsx_out_of_memory) or a dead server.
      expect(l.report.errors.map((e) => e.code)).toEqual(['empty_file']);
      expect(process.memoryUsage().rss - rss).toBeLessThan(400 * 1024 * 1024);
    } finally {
      await lifted.close();
    }
    // 120 MB of XML is read for real (a smaller sheet would fit in memory and prove nothing): about
    // 20 s on a quiet machine, several times that on a loaded one.
  }, 240_000);

  it('refuses a workbook that unpacks to more than XLSX_MAX_UNPACKED_MB in all', async () => {
    const small = testServices({ env: { XLSX_MAX_UNPACKED_MB: '1' } });
    try {
      const rows = Array.from({ length: 30_000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i * 7919}</v></c></row>`);
      const l = await load(small, t.w, makeZip(workbookEntries(sheetXml(rows))), 'besar.xlsx');
      expect(l.report.errors.map((e) => e.code)).toEqual(['xlsx_too_large']);
    } finally {
      await small.close();
    }
  });

  it('refuses an entry that inflates to more than its declared size', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>baris ${i}</t></is></c></row>`);
    const l = await load(t.svc, t.w, makeZip(workbookEntries(sheetXml(['<row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c></row>', ...rows]), { declaredSheetSize: 2000 })), 'bohong.xlsx');
    expect(l.v.state).toBe('failed');
    expect(l.report.errors.map((e) => e.code)).toEqual(['bad_xlsx']);
  });

  it('refuses shared strings larger than XLSX_MAX_SHARED_STRINGS_MB (they would be held in memory)', async () => {
    const strings = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${Array.from({ length: 40_000 }, () => `<si><t>${crypto.randomBytes(12).toString('hex')}</t></si>`).join('')}</sst>`;
    const l = await load(t.svc, t.w, makeZip(workbookEntries(sheetXml(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']), { sharedStrings: strings })), 'sst.xlsx');
    expect(l.report.errors.map((e) => e.code)).toEqual(['xlsx_too_large']);
  });

  it('reads rows and cells that carry no r attributes, in order', async () => {
    const rows = [
      '<row><c t="inlineStr"><is><t>kode</t></is></c><c t="inlineStr"><is><t>jumlah</t></is></c></row>',
      '<row><c t="inlineStr"><is><t>1801</t></is></c><c><v>313756</v></c></row>',
      '<row><c t="inlineStr"><is><t>1802</t></is></c><c><v>641036</v></c></row>',
    ];
    const l = await load(t.svc, t.w, makeZip(workbookEntries(sheetXml(rows))), 'tanpa-r.xlsx');
    expect(l.report.errors).toEqual([]);
    expect(values(l.rows)).toEqual([{ kode: '1801', jumlah: 313756 }, { kode: '1802', jumlah: 641036 }]);
  });

  it('answers a cell at the last row and column Excel has with a report, not a stall', async () => {
    const rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c></row>', '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'];
    const l = await load(t.svc, t.w, makeZip(workbookEntries(sheetXml(rows))), 'luas.xlsx');
    expect(['failed', 'draft']).toContain(l.v.state);
    expect(l.report.errors.length + l.report.warnings.length).toBeGreaterThan(0);
  });
});

describe('isolated work', () => {
  const hog = path.join(__dirname, '..', 'fixtures', 'isolate', 'hog.ts');

  it('ends only its own thread when it exhausts its heap; the process goes on', async () => {
    await expect(runIsolated(hog, 'hog', [], { maxHeapMb: 64 })).rejects.toBeInstanceOf(IsolatedOutOfMemory);
    await expect(runIsolated<number>(hog, 'double', [21], { maxHeapMb: 64 })).resolves.toBe(42);
  });

  it('passes an error’s code back from the thread', async () => {
    const err = await runIsolated(hog, 'fail', [], { maxHeapMb: 64 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IsolatedError);
    expect((err as IsolatedError).code).toBe('uji_gagal');
  });
});
