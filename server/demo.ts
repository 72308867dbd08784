import fs from 'node:fs';
import path from 'node:path';
import { perform, untrusted } from './actions/action';
import { createOrganization, createUser } from './actions/accounts';
import { createDataset } from './actions/datasets';
import { setHeadlineIndicators } from './actions/headlines';
import { reviewVersion, submitVersion, uploadVersion } from './actions/versions';
import { actorForCredentials } from './auth/actors';
import { loadVersion } from './jobs/load-version';
import { log } from './log';
import { systemActor, type Actor } from './policies/actor';
import type { Services } from './services';

const DEMO_DIR = path.join(__dirname, '..', 'datasets');

interface DemoManifest {
  organizations: Array<{ slug: string; name: string; short_name?: string; kind: 'opd' | 'walidata' | 'pembina'; description?: string }>;
  users: Array<{ email: string; name: string; role: 'admin' | 'walidata' | 'pembina' | 'produsen'; org?: string }>;
  datasets: Array<Record<string, unknown> & { organization: string; file: string; title: string; prioritas?: boolean; headline?: { measure: string; fn: 'sum' | 'avg' | 'min' | 'max' } }>;
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

/**
 * Loads the demo content through the same actions people use: organizations and accounts, then
 * each dataset is created and uploaded by its OPD's producer, submitted, and approved by the
 * walidata (and the pembina for priority data). Safe to run again: what exists is skipped.
 */
export async function loadDemo(services: Services, password: string): Promise<{ organizations: number; users: number; datasets: number }> {
  const { db, storage } = services;
  const manifest = readManifest();
  const made = { organizations: 0, users: 0, datasets: 0 };

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

  const walidata = await signInAs(services, 'walidata@demo.satudata.id', password);
  const pembina = await signInAs(services, 'pembina@demo.satudata.id', password);
  for (const spec of manifest.datasets) {
    const { file, organization, headline: _headline, ...fields } = spec;
    const org = await db('organizations').where({ slug: organization }).first();
    if (await db('datasets').where({ organization_id: org.id, title: fields.title }).first()) continue;
    const producer = await signInAs(services, `${organization}@demo.satudata.id`, password);
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
    await perform(reviewVersion, walidata, { slug: ds.slug, number: v.number, decision: 'approve', comment: 'Sesuai standar data, metadata lengkap, kode referensi valid.' }, services);
    if (spec.prioritas) {
      await perform(reviewVersion, pembina, { slug: ds.slug, number: v.number, decision: 'approve', comment: 'Konsisten dengan rilis BPS.' }, services);
    }
    made.datasets++;
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
