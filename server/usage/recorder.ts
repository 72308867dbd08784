import type { Knex } from 'knex';
import { log } from '../log';
import { localDay } from '../manage/calendar';

/** What is counted: a page or embed view, or a download in one format. */
export type UsageKind = 'view' | 'download';

/** A search that found nothing, as kept: the cleaned term and where it came from. */
export interface SearchMiss {
  term: string;
  lang: 'id' | 'en';
  source: 'web' | 'api';
  suggestion?: string | null;
}

/**
 * A search term as it may be kept: trimmed, lower case, one space between words, at most 100
 * characters, with what could identify a person (e-mail addresses, long digit runs such as a NIK
 * or a phone number) blanked out.
 */
export function cleanSearchTerm(q: string): string {
  return q
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\s@]+@[^\s@]+/g, '[email]')
    .replace(/\+?\d[\d\s.-]{6,}\d/g, (m) => (m.replace(/\D/g, '').length >= 8 ? '[angka]' : m))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100);
}

const FORMAT = /^[a-z0-9_]{1,30}$/;
/** Beyond this many pending search misses (a flood), more are dropped until the next flush. */
const MAX_PENDING_MISSES = 5_000;

/**
 * Counts views and downloads in memory and writes them in one transaction every few seconds:
 * an upsert into `usage_daily` per (dataset, day, kind, format) and one UPDATE per dataset for
 * its running totals, so a busy page costs no write of its own. Also keeps the search terms that
 * found nothing. A failed write keeps the counts for the next try; `close()` writes what is left.
 */
export class UsageRecorder {
  private counts = new Map<string, number>();
  private misses: Array<SearchMiss & { at: Date }> = [];
  private droppedMisses = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** The portal's zone (TIME_ZONE): a view is counted on its day there. */
  private readonly zone: string;

  constructor(
    private readonly db: Knex,
    opts: { flushSeconds?: number; timeZone: string },
  ) {
    this.zone = opts.timeZone;
    const seconds = opts.flushSeconds ?? 5;
    if (seconds > 0) {
      this.timer = setInterval(() => void this.flush().catch(() => undefined), seconds * 1000);
      this.timer.unref();
    }
  }

  /** One view of a dataset's page (`page`) or of its embed (`embed`). */
  view(datasetId: number, format: 'page' | 'embed' = 'page', at = new Date()): void {
    this.add(datasetId, 'view', format, at);
  }

  /** One download of a dataset in a format (`csv`, `csv_excel`, `json`, `xlsx`, `raw`, …). */
  download(datasetId: number, format: string, at = new Date()): void {
    this.add(datasetId, 'download', format, at);
  }

  /** A search that found nothing; the term is cleaned (see cleanSearchTerm) and kept if anything is left. */
  searchMiss(miss: SearchMiss, at = new Date()): void {
    const term = cleanSearchTerm(miss.term);
    if (!term) return;
    if (this.misses.length >= MAX_PENDING_MISSES) {
      this.droppedMisses += 1;
      return;
    }
    this.misses.push({ ...miss, term, suggestion: miss.suggestion ? miss.suggestion.slice(0, 200) : null, at });
  }

  private add(datasetId: number, kind: UsageKind, format: string, at: Date): void {
    if (!Number.isInteger(datasetId) || !FORMAT.test(format)) return;
    const key = `${datasetId}|${localDay(at, this.zone)}|${kind}|${format}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Writes what has been counted so far (one at a time: a flush waits for a running one). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.counts.size === 0 && this.misses.length === 0) return;
    const counts = this.counts;
    const misses = this.misses;
    this.counts = new Map();
    this.misses = [];
    this.running = this.write(counts, misses)
      .catch((err) => {
        // Keep the counts for the next try (they are few: one entry per dataset, day and format).
        for (const [k, n] of counts) this.counts.set(k, (this.counts.get(k) ?? 0) + n);
        this.misses = [...misses, ...this.misses].slice(0, MAX_PENDING_MISSES);
        log.warn({ err }, 'usage counts could not be written; kept for the next try');
        throw err;
      })
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }

  private async write(counts: Map<string, number>, misses: Array<SearchMiss & { at: Date }>): Promise<void> {
    const rows = [...counts].map(([key, count]) => {
      const [id, day, kind, format] = key.split('|');
      return { dataset_id: Number(id), day, kind, format, count };
    });
    const totals = new Map<number, { views: number; downloads: number }>();
    for (const r of rows) {
      const t = totals.get(r.dataset_id) ?? { views: 0, downloads: 0 };
      if (r.kind === 'view') t.views += r.count;
      else t.downloads += r.count;
      totals.set(r.dataset_id, t);
    }
    await this.db.transaction(async (tx) => {
      if (rows.length) {
        // Only datasets that still exist (one may have been removed since it was viewed).
        const ids = [...totals.keys()];
        const existing = new Set((await tx('datasets').whereIn('id', ids).pluck('id')).map(Number));
        const kept = rows.filter((r) => existing.has(r.dataset_id));
        if (kept.length) {
          await tx('usage_daily')
            .insert(kept)
            .onConflict(['dataset_id', 'day', 'kind', 'format'])
            .merge({ count: tx.raw('usage_daily.count + excluded.count') });
          const values = [...totals].filter(([id]) => existing.has(id));
          await tx.raw(
            `UPDATE datasets d SET view_count = d.view_count + x.v, download_count = d.download_count + x.dl
               FROM (SELECT * FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS t(id, v, dl)) x
              WHERE d.id = x.id`,
            [values.map(([id]) => id), values.map(([, t]) => t.views), values.map(([, t]) => t.downloads)],
          );
        }
      }
      if (misses.length) {
        await tx('search_misses').insert(
          misses.map((m) => ({ term: m.term, lang: m.lang, source: m.source, suggestion: m.suggestion ?? null, at: m.at })),
        );
      }
    });
    if (this.droppedMisses) {
      log.warn({ dropped: this.droppedMisses }, 'search misses dropped during a flood');
      this.droppedMisses = 0;
    }
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }
}
