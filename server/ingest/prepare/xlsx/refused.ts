/** Why a workbook is not read: codes of the problem catalogue (problems.ts holds their texts). */
const REFUSALS = ['bad_xlsx', 'xlsx_bomb', 'xlsx_too_large', 'xlsx_out_of_memory'] as const;

export type XlsxRefusal = (typeof REFUSALS)[number];

/** A workbook the reader will not (or cannot) read; `code` goes into the report. */
export class XlsxRefused extends Error {
  constructor(readonly code: XlsxRefusal) {
    super(code);
  }
}

/** True for a refusal code (errors crossing a thread boundary keep only plain fields). */
export function isRefusal(code: unknown): code is XlsxRefusal {
  return typeof code === 'string' && (REFUSALS as readonly string[]).includes(code);
}
