import fs from 'node:fs';
import path from 'node:path';
import { perform, untrusted } from './actions/action';
import { createOrganization, createUser } from './actions/accounts';
import { createDataListItem, linkDataListItem } from './actions/datalist';
import { createDataset } from './actions/datasets';
import { setHeadlineIndicators } from './actions/headlines';
import { answerRequest, createRequest, routeRequest } from './actions/requests';
import { reviewVersion, submitVersion, uploadVersion } from './actions/versions';
import { actorForCredentials } from './auth/actors';
import { loadVersion } from './jobs/load-version';
import { log } from './log';
import { addDays, fromLocalTime, localDay } from './manage/calendar';
import { requesterActor, systemActor, type Actor } from './policies/actor';
import type { Services } from './services';

const DEMO_DIR = path.join(__dirname, '..', 'datasets');

interface DemoManifest {
  organizations: Array<{ slug: string; name: string; short_name?: string; kind: 'opd' | 'walidata' | 'pembina'; description?: string }>;
  users: Array<{ email: string; name: string; role: 'admin' | 'walidata' | 'pembina' | 'produsen'; org?: string }>;
  /** `publish_in_days`: approved onto the release calendar (jadwal rilis) that many days ahead, at 10:00 WIB. */
  datasets: Array<Record<string, unknown> & { organization: string; file: string; title: string; prioritas?: boolean; publish_in_days?: number; headline?: { measure: string; fn: 'sum' | 'avg' | 'min' | 'max' } }>;
  /** The demo year's data list; `fulfilled_by` names a demo dataset by its file, linked by the OPD's producer. */
  data_list?: Array<Record<string, unknown> & { name: string; organization: string; fulfilled_by?: string }>;
  /** Public requests, each as far as it went: asked, routed to `route`, answered (`dataset` by file, `planned_in_days`). */
  requests?: Array<{
    title: string; description: string; purpose: string; name: string; email: string;
    route?: string; note?: string;
    answer?: { state: string; answer?: string; url?: string; dataset?: string; planned_in_days?: number };
  }>;
  /** Feedback on a published demo dataset (by file): it goes straight to its OPD. */
  feedback?: Array<{ dataset: string; title: string; description: string; name: string; email: string }>;
}

/** The demo accounts: fixed ones plus one producer per demo OPD (`<org-slug>@demo.satudata.id`). */
export function demoAccounts(manifest = readManifest()): DemoManifest['users'] {
  const producers = manifest.organizations
    .filter((o) => o.kind === 'opd')
    .map((o) => ({ email: `${o.slug}@demo.satudata.id`, name: `Produsen ${o.short_name ?? o.name}`, role: 'produsen' as const, org: o.slug }));
  return [...manifest.users, ...producers];
}

function readManifest(): DemoManifest {
  return JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'demo.json'), 'utf8'));
}

async function signInAs(services: Services, email: string, password: string): Promise<Actor> {
  const actor = await actorForCredentials(services.db, email, password, services.config.scryptLogN);
  if (!actor) throw new Error(`demo account ${email} cannot sign in (was it created with another DEMO_PASSWORD?)`);
  return actor;
}

/** The year of the demo's data list: the current one in the portal's zone. */
export function demoYear(timeZone: string, now = new Date()): number {
  return Number(localDay(now, timeZone).slice(0, 4));
}

/**
 * Loads the demo content through the same actions people use: organizations and accounts, then
 * each dataset is created and uploaded by its OPD's producer, submitted, and approved by the
 * walidata (and the pembina for priority data) — one onto the release calendar instead; the
 * year's data list made by the walidata and linked by the OPDs; public requests asked, routed
 * and answered. Safe to run again: what exists is skipped.
 */
export async function loadDemo(
  services: Services,
  password: string,
  opts: { year?: number } = {},
): Promise<{ organizations: number; users: number; datasets: number; data_list_items: number; requests: number }> {
  const { db, storage } = services;
  const manifest = readManifest();
  const made = { organizations: 0, users: 0, datasets: 0, data_list_items: 0, requests: 0 };

  for (const org of manifest.organizations) {
    if (await db('organizations').where({ slug: org.slug }).first()) continue;
    await perform(createOrganization, systemActor, org, services);
    made.organizations++;
  }
  for (const u of demoAccounts(manifest)) {
    if (await db('users').whereRaw('lower(email) = ?', [u.email]).first()) continue;
    await perform(createUser, systemActor, { ...u, password }, services);
    made.users++;
  }

  // Each sign-in costs a password hash: once per account.
  const actors = new Map<string, Promise<Actor>>();
  const as = (email: string) => actors.get(email) ?? actors.set(email, signInAs(services, email, password)).get(email)!;
  const walidata = await as('walidata@demo.satudata.id');
  const pembina = await as('pembina@demo.satudata.id');
  for (const spec of manifest.datasets) {
    const { file, organization, headline: _headline, ...fields } = spec;
    delete fields.publish_in_days;
    const org = await db('organizations').where({ slug: organization }).first();
    if (await db('datasets').where({ organization_id: org.id, title: fields.title }).first()) continue;
    const producer = await as(`${organization}@demo.satudata.id`);
    const ds = await perform(createDataset, producer, untrusted({ ...fields, organization }), services);
    const stored = await storage.storeFile(path.join(DEMO_DIR, file));
    const v = await perform(uploadVersion, producer, { slug: ds.slug, file: { ...stored, filename: file, media_type: 'text/csv' } }, services);
    // Small files load inline; with INLINE_LOAD_MAX_MB=0 they are queued, so load them here.
    if ((await db('versions').where({ id: v.id }).first()).state === 'processing') await loadVersion(services, v.id);
    const loaded = await db('versions').where({ id: v.id }).first();
    if (loaded.state !== 'draft') {
      log.error({ file, state: loaded.state, report: loaded.report }, 'demo file did not load');
      throw new Error(`demo file ${file} ended ${loaded.state}: ${JSON.stringify(loaded.report?.errors?.slice(0, 3))}`);
    }
    await perform(submitVersion, producer, { slug: ds.slug, number: v.number }, services);
    const zone = services.config.timeZone;
    const publishAt = spec.publish_in_days ? fromLocalTime(`${addDays(localDay(new Date(), zone), spec.publish_in_days)}T10:00`, zone).toISOString() : undefined;
    await perform(
      reviewVersion,
      walidata,
      { slug: ds.slug, number: v.number, decision: 'approve', comment: publishAt ? 'Disetujui; terbit sesuai jadwal rilis.' : 'Sesuai standar data, metadata lengkap, kode referensi valid.', ...(publishAt ? { publish_at: publishAt } : {}) },
      services,
    );
    if (spec.prioritas) {
      await perform(reviewVersion, pembina, { slug: ds.slug, number: v.number, decision: 'approve', comment: 'Konsisten dengan rilis BPS.' }, services);
    }
    made.datasets++;
  }

  const slugOf = async (file: string): Promise<string> => {
    const spec = manifest.datasets.find((d) => d.file === file);
    const org = spec && (await db('organizations').where({ slug: spec.organization }).first('id'));
    const ds = org && (await db('datasets').where({ organization_id: org.id, title: spec.title }).first('slug'));
    if (!ds) throw new Error(`demo.json names ${file}, which is no demo dataset`);
    return ds.slug;
  };

  const year = opts.year ?? demoYear(services.config.timeZone);
  for (const spec of manifest.data_list ?? []) {
    const { fulfilled_by, ...fields } = spec;
    const org = await db('organizations').where({ slug: spec.organization }).first('id');
    if (await db('data_list_items').where({ year, organization_id: org.id, name: spec.name }).first()) continue;
    const item = await perform(createDataListItem, walidata, untrusted({ ...fields, year }), services);
    if (fulfilled_by) {
      const producer = await as(`${spec.organization}@demo.satudata.id`);
      await perform(linkDataListItem, producer, { id: item.id, dataset: await slugOf(fulfilled_by) }, services);
    }
    made.data_list_items++;
  }

  for (const spec of manifest.requests ?? []) {
    if (await db('data_requests').where({ title: spec.title }).first()) continue;
    const { route, note, answer, ...ask } = spec;
    const r = await perform(createRequest, requesterActor, untrusted(ask), services);
    if (route) await perform(routeRequest, walidata, { id: r.id, organization: route, note: note ?? '' }, services);
    if (route && answer) {
      const producer = await as(`${route}@demo.satudata.id`);
      const { planned_in_days, dataset, ...rest } = answer;
      await perform(
        answerRequest,
        producer,
        untrusted({
          id: r.id,
          ...rest,
          ...(dataset ? { dataset: await slugOf(dataset) } : {}),
          ...(planned_in_days ? { planned_for: addDays(localDay(new Date(), services.config.timeZone), planned_in_days) } : {}),
        }),
        services,
      );
    }
    made.requests++;
  }
  for (const spec of manifest.feedback ?? []) {
    if (await db('data_requests').where({ title: spec.title }).first()) continue;
    await perform(createRequest, requesterActor, untrusted({ ...spec, kind: 'masukan', dataset: await slugOf(spec.dataset) }), services);
    made.requests++;
  }
  await demoHeadlines(services, manifest, walidata);
  return made;
}

/** The demo's headline indicators (marked `headline` in the manifest), chosen by the walidata once, when none are chosen yet. */
async function demoHeadlines(services: Services, manifest: DemoManifest, walidata: Actor): Promise<void> {
  const { db } = services;
  if (await db('headline_indicators').first()) return;
  const indicators = [];
  for (const spec of manifest.datasets) {
    if (!spec.headline) continue;
    const d = await db('datasets as d').join('organizations as o', 'o.id', 'd.organization_id').where({ 'o.slug': spec.organization, 'd.title': spec.title }).select('d.slug').first();
    if (d) indicators.push({ dataset: d.slug as string, ...spec.headline });
  }
  if (indicators.length) await perform(setHeadlineIndicators, walidata, { indicators }, services);
}
