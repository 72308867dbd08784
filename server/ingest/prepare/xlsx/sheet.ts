// One worksheet's cells, streamed into CSV text row by row: memory holds one row at a time.
import fs from 'node:fs';
import { once } from 'node:events';
import type { WorkbookParts } from './parts';
import { XlsxRefused } from './refused';
import { walkXml } from './xml';
import type { Zip } from './zip';

const MAX_COLUMNS = 16_384;
const MAX_ROWS = 1_048_576;
/**
 * Rows are padded with empty cells to the widest row so far, as a spreadsheet program's CSV export
 * does (a row whose last cells are empty keeps its width), up to a little past the widest table
 * the loader takes.
 */
const MAX_PADDED = 1001;

/** "AB12" → 27 (0-based column), or -1 without a usable reference. */
function columnOf(ref: string | undefined): number {
  if (!ref) return -1;
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
  }
  return i === 0 ? -1 : col - 1;
}

/** A serial date of the workbook's date system as ISO text (a date alone when there is no time). */
function serialDate(serial: number, date1904: boolean): string {
  const days = serial + (date1904 ? 1462 : 0);
  const ms = Math.round((days - 25569) * 86_400_000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(serial);
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** A number as JavaScript writes it, rounded to Excel's 15 significant digits. */
function numberText(raw: string): string {
  const n = Number(raw);
  if (!Number.isFinite(n)) return raw.trim();
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

/** A CSV field: quoted when it holds a quote, comma or line break. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

interface Cell {
  col: number;
  type: string;
  style: number;
  value: string[];
  inline: string[];
}

/** Writes the sheet as CSV; blank sheet rows stay blank lines, so line numbers match the sheet's rows. */
export async function writeSheetCsv(
  zip: Zip,
  part: string,
  parts: WorkbookParts,
  out: string,
  limit: { bytes: number; refusal: 'xlsx_bomb' | 'xlsx_too_large' },
): Promise<number> {
  const maxOutputBytes = limit.bytes;
  const src = await zip.stream(part);
  if (!src) throw new XlsxRefused('bad_xlsx');
  const dest = fs.createWriteStream(out);
  let bytes = 0;
  const failedWrite = new Promise<never>((_resolve, reject) => dest.on('error', reject));
  failedWrite.catch(() => undefined);
  let written = 0;
  let width = 0;
  let rowNumber = 0;
  let row: string[] | null = null;
  let cell: Cell | null = null;
  let into: 'value' | 'inline' | null = null;

  const textOf = (c: Cell): string => {
    const v = c.value.join('');
    switch (c.type) {
      case 's': {
        const s = parts.sharedStrings[Number(v)];
        return s ?? '';
      }
      case 'inlineStr':
        return c.inline.join('');
      case 'str':
        return v;
      case 'b':
        return v === '1' || v === 'true' ? 'true' : v === '' ? '' : 'false';
      case 'e':
        return '';
      case 'd':
        return v.endsWith('T00:00:00') || v.endsWith('T00:00:00Z') || v.endsWith('T00:00:00.000Z') ? v.slice(0, 10) : v;
      default:
        if (v === '') return '';
        return parts.dateStyles[c.style] ? serialDate(Number(v), parts.date1904) : numberText(v);
    }
  };

  const writeLines = (n: number) => {
    bytes += n;
    if (bytes > maxOutputBytes) throw new XlsxRefused(limit.refusal);
    dest.write('\n'.repeat(n));
  };
  const writeRow = (values: string[]) => {
    const line = `${values.map(csvField).join(',')}\n`;
    bytes += Buffer.byteLength(line);
    if (bytes > maxOutputBytes) throw new XlsxRefused(limit.refusal);
    dest.write(line);
  };

  try {
  await walkXml(src, {
    async afterChunk() {
      if (dest.writableNeedDrain) await Promise.race([once(dest, 'drain'), failedWrite]);
    },
    open(name, a) {
      if (name === 'row') {
        const r = a.r ? Number(a.r) : rowNumber + 1;
        if (!Number.isInteger(r) || r <= rowNumber || r > MAX_ROWS) throw new XlsxRefused('bad_xlsx');
        rowNumber = r;
        row = [];
      } else if (name === 'c' && row) {
        const ref = columnOf(a.r);
        const col = ref >= 0 ? ref : row.length;
        if (col >= MAX_COLUMNS) throw new XlsxRefused('xlsx_too_large');
        cell = { col, type: a.t ?? 'n', style: Number(a.s ?? 0), value: [], inline: [] };
      } else if (cell && name === 'v') into = 'value';
      else if (cell && name === 't' && cell.type === 'inlineStr') into = 'inline';
    },
    text(t) {
      if (cell && into) cell[into].push(t);
    },
    close(name) {
      if (name === 'v' || name === 't') into = null;
      else if (name === 'c' && cell && row) {
        const text = textOf(cell);
        while (row.length < cell.col) row.push('');
        row[cell.col] = text;
        cell = null;
      } else if (name === 'row' && row) {
        while (row.length && row[row.length - 1] === '') row.pop();
        if (row.length > 0) {
          width = Math.max(width, Math.min(row.length, MAX_PADDED));
          while (row.length < width) row.push('');
          // Blank sheet rows stay blank lines (in one write: a sheet may skip a million rows).
          if (written < rowNumber - 1) writeLines(rowNumber - 1 - written);
          written = rowNumber - 1;
          writeRow(row);
          written = rowNumber;
        }
        row = null;
      }
    },
  });
  } catch (err) {
    dest.destroy();
    throw err;
  }
  dest.end();
  await Promise.race([once(dest, 'finish'), failedWrite]);
  return written;
}
