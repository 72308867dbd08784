import { z } from 'zod';
import { Invalid } from '../errors';
import { canManageHeadlines } from '../policies/headline';
import { visibleDatasetsScope } from '../policies/dataset';
import { HEADLINE_FUNCTIONS, MAX_HEADLINES, headlineRows, numericMeasures } from '../queries/headlines';
import type { ColumnRow } from '../db/rows';
import { defineAction } from './action';

const indicatorSchema = z.object({
  dataset: z.string().trim().min(1).max(200),
  measure: z.string().trim().min(1).max(100),
  fn: z.enum(HEADLINE_FUNCTIONS).default('sum'),
});

/**
 * Choose the home page's headline indicators (the walidata): the whole list at once, in order.
 * Each names a published open dataset and one of its numeric measures; the figures come from
 * the dataset's current version whenever the page is drawn.
 */
export const setHeadlineIndicators = defineAction({
  name: 'home.set_headlines',
  input: z.object({ indicators: z.array(indicatorSchema).max(MAX_HEADLINES) }),
  // Nothing to load before the policy: the list belongs to the portal, not to a record.
  async load() {
    return null;
  },
  authorize: (actor) => canManageHeadlines(actor),
  async run({ tx }, actor, _record, input) {
    // One writer at a time: two walidata saving at once end with one list, not a mix.
    await tx.raw('LOCK TABLE headline_indicators IN SHARE ROW EXCLUSIVE MODE');
    const before = await tx('headline_indicators as h').join('datasets as d', 'd.id', 'h.dataset_id').select('d.slug', 'h.measure', 'h.fn').orderBy('h.position');
    const seen = new Set<string>();
    const rows: Array<{ dataset_id: number; measure: string; fn: string; position: number; created_by: number | null }> = [];
    const problems: Array<{ path: string; message: string }> = [];
    for (const [i, x] of input.indicators.entries()) {
      const key = `${x.dataset}|${x.measure}`;
      if (seen.has(key)) {
        problems.push({ path: `indicators.${i}`, message: `${x.dataset} · ${x.measure}: twice` });
        continue;
      }
      seen.add(key);
      const d = await tx('datasets as d').modify(visibleDatasetsScope(null)).where('d.slug', x.dataset).select('d.id', 'd.current_version_id').first();
      const columns: ColumnRow[] = d ? await tx('version_columns').where({ version_id: d.current_version_id }) : [];
      if (!d || !numericMeasures(columns).some((c) => c.name === x.measure)) {
        problems.push({ path: `indicators.${i}`, message: `${x.dataset} · ${x.measure}: not a published open dataset with this numeric measure` });
        continue;
      }
      rows.push({ dataset_id: d.id, measure: x.measure, fn: x.fn, position: rows.length + 1, created_by: actor.id });
    }
    if (problems.length) {
      throw new Invalid(
        'Indikator utama harus dataset terbuka yang sudah terbit dengan ukuran berupa angka, masing-masing sekali.',
        'Headline indicators must be published open datasets with a numeric measure, each once.',
        problems,
      );
    }
    await tx('headline_indicators').del();
    if (rows.length) await tx('headline_indicators').insert(rows);
    const after = input.indicators.map((x) => ({ slug: x.dataset, measure: x.measure, fn: x.fn }));
    const same = JSON.stringify(before) === JSON.stringify(after);
    return {
      result: await headlineRows(tx),
      audit: same ? null : { targetType: 'home_page', targetId: 'headlines', details: { from: before.map(describe), to: after.map(describe) } },
    };
  },
});

const describe = (x: { slug: string; measure: string; fn: string }) => `${x.slug} · ${x.measure} (${x.fn})`;
