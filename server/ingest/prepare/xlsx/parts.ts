// The workbook's small parts: which sheets it has, where they are, which cell styles are dates,
// and the shared strings the sheet's cells point into.
import path from 'node:path';
import { walkXml } from './xml';
import { XlsxRefused } from './refused';
import type { Zip } from './zip';

/** A worksheet as the workbook lists it. */
export interface SheetRef {
  name: string;
  part: string;
}

/** What the cells of a sheet need from the rest of the workbook. */
export interface WorkbookParts {
  sheets: SheetRef[];
  sharedStrings: string[];
  /** Cell style index → true when its number format shows a date or time. */
  dateStyles: boolean[];
  date1904: boolean;
}

const SMALL_PART_BYTES = 32 * 1024 * 1024;

async function entry(zip: Zip, name: string, maxBytes = SMALL_PART_BYTES) {
  if (zip.size(name) > maxBytes) throw new XlsxRefused('xlsx_too_large');
  return zip.stream(name);
}

/** Relationship id → target part, resolved against the part the relationships belong to. */
async function relationships(zip: Zip, owner: string): Promise<Map<string, { target: string; type: string }>> {
  const relsPart = path.posix.join(path.posix.dirname(owner), '_rels', `${path.posix.basename(owner)}.rels`);
  const rels = new Map<string, { target: string; type: string }>();
  const s = await entry(zip, relsPart);
  if (!s) return rels;
  await walkXml(s, {
    open(name, a) {
      if (name !== 'Relationship' || !a.Id || !a.Target || a.TargetMode === 'External') return;
      const target = a.Target.startsWith('/') ? a.Target.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(owner), a.Target));
      rels.set(a.Id, { target, type: a.Type ?? '' });
    },
  });
  return rels;
}

// Excel's built-in number formats that show dates or times (ECMA-376 §18.8.30, and the
// East Asian ones Excel also treats as dates).
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** True when a custom number format code shows a date or time (quoted text and [..] parts aside). */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?:h+|m+|s+)\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '')
    .split(';')[0];
  if (/^general$/i.test(bare.trim())) return false;
  return /[dmyhs]/i.test(bare.replace(/_.|\*./g, ''));
}

async function dateStylesOf(zip: Zip, part: string | undefined): Promise<boolean[]> {
  const s = part ? await entry(zip, part) : null;
  if (!s) return [];
  const custom = new Map<number, string>();
  const styles: boolean[] = [];
  let inCellXfs = false;
  await walkXml(s, {
    open(name, a) {
      if (name === 'numFmt' && a.numFmtId !== undefined) custom.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) {
        const id = Number(a.numFmtId ?? 0);
        styles.push(custom.has(id) ? isDateFormat(custom.get(id)!) : BUILTIN_DATE_FORMATS.has(id));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return styles;
}

/** The shared strings, each the text of its runs (phonetic guides left out). */
async function sharedStringsOf(zip: Zip, part: string | undefined, maxBytes: number): Promise<string[]> {
  const s = part ? await entry(zip, part, maxBytes) : null;
  if (!s) return [];
  const out: string[] = [];
  let current: string[] | null = null;
  let inText = false;
  let phonetic = 0;
  await walkXml(s, {
    open(name) {
      if (name === 'si') current = [];
      else if (name === 't') inText = true;
      else if (name === 'rPh') phonetic++;
    },
    close(name) {
      if (name === 'si' && current) {
        out.push(current.join(''));
        current = null;
      } else if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
    },
    text(t) {
      if (inText && current && phonetic === 0) current.push(t);
    },
  });
  return out;
}

/** Reads the workbook's parts: sheets in order, date styles, shared strings. */
export async function readWorkbookParts(zip: Zip, maxSharedStringsBytes: number): Promise<WorkbookParts> {
  const root = await relationships(zip, '');
  const main = [...root.values()].find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const s = await entry(zip, main);
  if (!s) throw new XlsxRefused('bad_xlsx');
  const listed: Array<{ name: string; rid: string }> = [];
  let date1904 = false;
  await walkXml(s, {
    open(name, a) {
      if (name === 'sheet') {
        const rid = a['r:id'] ?? Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1];
        if (rid) listed.push({ name: a.name ?? `Sheet${listed.length + 1}`, rid });
      } else if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
    },
  });
  const rels = await relationships(zip, main);
  const sheets = listed.flatMap((l) => {
    const rel = rels.get(l.rid);
    return rel && zip.entries.has(rel.target) ? [{ name: l.name, part: rel.target }] : [];
  });
  const byType = (suffix: string) => [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
  return {
    sheets,
    dateStyles: await dateStylesOf(zip, byType('/styles')),
    sharedStrings: await sharedStringsOf(zip, byType('/sharedStrings'), maxSharedStringsBytes),
    date1904,
  };
}
