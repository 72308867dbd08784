import { perform } from '../actions/action';
import { autoPublishVersion } from '../actions/automation';
import { submitVersion } from '../actions/versions';
import { AppError } from '../errors';
import { problemCount, type Report } from '../ingest/report';
import { log } from '../log';
import { automationActor } from '../policies/actor';
import type { Services } from '../services';

/**
 * After a version loaded (upload, push or pulled source): on a dataset with `auto_submit`, a draft
 * without errors goes to the walidata's queue; with `auto_publish` as well, the portal then
 * decides whether it may publish it without a person (actions/automation.ts). A refusal (another
 * version under review, say) leaves the draft as it is, logged: the OPD submits it by hand.
 */
export async function reviewAutomatically(services: Services, versionId: number): Promise<void> {
  const row = (await services.db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .where('v.id', versionId)
    .first('d.slug', 'd.auto_submit', 'd.auto_publish', 'd.prioritas', 'v.number', 'v.state', 'v.report', 'v.table_name')) as
    | { slug: string; auto_submit: boolean; auto_publish: boolean; prioritas: boolean; number: number; state: string; report: Report | null; table_name: string | null }
    | undefined;
  if (!row?.auto_submit || row.state !== 'draft' || !row.table_name || problemCount(row.report, 'errors') > 0) return;
  const ref = { slug: row.slug, number: Number(row.number) };
  try {
    await perform(submitVersion, automationActor, ref, services);
    if (row.auto_publish && !row.prioritas) await perform(autoPublishVersion, automationActor, ref, services);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    log.info({ versionId, code: err.code, reason: err.messageEn }, 'automatic review step refused');
  }
}
