import { ACCESS_LEVELS, FREQUENCIES, MS_IND_FIELDS, REQUIRED_MS_IND } from '../actions/schemas';
import type { DatasetJoinedRow, OrganizationRow, TopicRow } from '../db/rows';
import { STATISTICS_CLASSES } from '../metadata';
import type { Actor } from '../policies/actor';
import { canSetAutoPublish, canSetAutoSubmit } from '../policies/automation';
import { canChangeAccess, canManageSource, canRetractDataset, canUploadVersion } from '../policies/dataset';
import type { DatasetRecord } from '../policies/records';
import type { WorkListRow, WorkPage } from '../queries/dashboard';
import { presentOrganization, presentTopic } from './catalog';
import { presentDataset } from './dataset';
import { presentSourcePanel } from './source';

// The producer's workspace (/dashboard): its list, a dataset's page and the dataset form, as the
// views show them. In: rows from queries/dashboard.ts and the actor; out: plain view-models.

type Opts = { base: string; lang: string; timeZone: string };

/** Versions in these states are already on their way: a due update is not "overdue" while one of them waits. */
const UNDER_WAY = ['draft', 'submitted', 'verified', 'scheduled', 'changes_requested', 'processing'];
/** Versions in these states wait for the producer. */
const NEEDS_PRODUCER = ['changes_requested', 'draft', 'failed'];

/** The workspace list: every dataset, those waiting for the producer, and those overdue with nothing under way. */
export function presentWorkList(rows: WorkListRow[], opts: Opts) {
  const datasets = rows.map((d) => ({ ...presentDataset(d, opts), latest: d.latest, due: d.due }));
  return {
    datasets,
    needsAction: datasets.filter((d) => d.latest && NEEDS_PRODUCER.includes(d.latest.state)),
    overdue: datasets.filter((d) => d.due && d.due.status !== 'ok' && !(d.latest && UNDER_WAY.includes(d.latest.state))),
  };
}

/** What the dataset form offers this actor: OPDs, topics, vocabularies, and which access levels and flags they may set. */
export function presentDatasetForm(choices: { organizations: OrganizationRow[]; topics: TopicRow[] }, actor: Actor | null, lang: string, d?: DatasetJoinedRow) {
  return {
    organizations: choices.organizations.map((o) => presentOrganization(o)),
    topics: choices.topics.map((t) => presentTopic(t, lang)),
    frequencies: FREQUENCIES,
    classes: STATISTICS_CLASSES,
    accessLevels: d ? ACCESS_LEVELS.filter((a) => a === d.access_level || canChangeAccess(actor, d, { access_level: a })) : ACCESS_LEVELS,
    lockPrioritas: d ? !canChangeAccess(actor, d, { prioritas: !d.prioritas }) : false,
    msInd: MS_IND_FIELDS.map((f) => ({ field: f, required: REQUIRED_MS_IND.includes(f) })),
  };
}

/** The dataset form's values for editing a dataset. */
export function presentDatasetFormValues(d: DatasetJoinedRow, opts: Opts) {
  const dataset = presentDataset(d, opts);
  return { ...dataset, topic: dataset.topic?.slug, organization: dataset.organization.slug, tags: dataset.tags.join(', '), contact_name: dataset.contact.name, contact_email: dataset.contact.email };
}

/** What the dataset's workspace page shows of its automation, and which of the two switches the actor may use. */
export function automationPanel(actor: Actor | null, ds: DatasetRecord & { slug: string }) {
  return {
    slug: ds.slug,
    auto_submit: Boolean(ds.auto_submit),
    auto_publish: Boolean(ds.auto_publish),
    prioritas: ds.prioritas,
    canSetSubmit: canSetAutoSubmit(actor, ds),
    canSetPublish: canSetAutoPublish(actor, ds) && !ds.prioritas,
  };
}

/** A dataset's workspace page: the dataset, its versions, what its metadata lacks, what the actor may do, its source and automation panels. */
export function presentWorkPage(page: WorkPage, actor: Actor | null, opts: Opts & { maxUploadBytes: number }) {
  const { dataset: d } = page;
  const dataset = presentDataset(d, opts);
  return {
    title: dataset.title,
    dataset,
    versions: page.versions,
    missing: REQUIRED_MS_IND.filter((f) => !dataset.metadata[f]),
    maxUploadMb: Math.round(opts.maxUploadBytes / 1048576),
    canUpload: canUploadVersion(actor, d),
    canRetract: canRetractDataset(actor, d) && Boolean(d.current_version_id),
    due: page.due,
    sourcePanel: { ...presentSourcePanel(page.source, canManageSource(actor, d), opts.lang), slug: d.slug, zone: opts.timeZone },
    automationPanel: automationPanel(actor, d),
  };
}
