import { actions } from '../../server/actions';
import { testWorld } from '../support/world';
import { perform, untrusted, type Action } from '../../server/actions/action';
import { createDataListItem } from '../../server/actions/datalist';
import { createRequest, routeRequest } from '../../server/actions/requests';
import { issueToken } from '../../server/actions/accounts';
import { createWebhook } from '../../server/actions/webhooks';
import { createHarvestSource } from '../../server/actions/harvest';
import { createServiceAccount } from '../../server/actions/service-accounts';
import { requestPasswordReset } from '../../server/actions/passwords';
import { AppError, NotFound } from '../../server/errors';
import type { Actor } from '../../server/policies/actor';
import { requesterActor, systemActor, schedulerActor } from '../../server/policies/actor';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { submitVersion, reviewVersion } from '../../server/actions/versions';
import type { z } from 'zod';

// Every action's policy, asked with real people of every role about real records (SPEC §1).
// Each action's record is loaded as that actor would load it (a load that refuses counts as
// "hidden"), then its authorize step answers. The expected "allowed" sets are written from SPEC §1
// and the lead's decisions (the admin does what the walidata does and manages accounts; it
// decides at the walidata's stage only; the pembina acts on priority data at its own stage).

const t = testWorld();

type Who = 'public' | 'owner' | 'otherProdusen' | 'walidata' | 'pembina' | 'admin';
const WHO: Who[] = ['public', 'owner', 'otherProdusen', 'walidata', 'pembina', 'admin'];

let inputs: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  const published = (await publishedDataset(t.svc, t.w)).ds.slug;
  // A submission waiting for the walidata, and a priority one waiting for the pembina.
  const queued = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
  const qv = await uploadContent(t.svc, t.w.producer.actor, queued.slug, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: queued.slug, number: qv.number }, t.svc);
  const prio = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { prioritas: true });
  const pv = await uploadContent(t.svc, t.w.producer.actor, prio.slug, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: prio.slug, number: pv.number }, t.svc);
  await perform(reviewVersion, t.w.walidata2.actor, { slug: prio.slug, number: pv.number, decision: 'approve' }, t.svc);
  const item = await perform(createDataListItem, t.w.walidata.actor, { year: 2093, name: 'Butir uji kebijakan', organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc);
  const request = await perform(createRequest, requesterActor, { title: 'Minta data uji kebijakan', name: 'Warga', email: 'warga@x.id' }, t.svc);
  // One routed to the owner's OPD: its producers may answer it now, no other OPD's.
  const routed = await perform(createRequest, requesterActor, { title: 'Minta data uji diteruskan', name: 'Warga', email: 'warga@x.id' }, t.svc);
  await perform(routeRequest, t.w.walidata.actor, { id: routed.id, organization: t.w.opd.slug }, t.svc);
  const token = await perform(issueToken, t.w.producer.actor, { email: t.w.producer.email }, t.svc);
  const hook = await perform(createWebhook, t.w.producer.actor, { url: 'https://aplikasi.example.id/hook', events: ['published'], organization: t.w.opd.slug }, t.svc);
  const harvest = await perform(createHarvestSource, t.w.walidata.actor, { kind: 'ckan', url: 'https://data.kab-registry.example.id/api/3/action', name: 'Kabupaten Registry' }, t.svc);
  const reset = await perform(requestPasswordReset, requesterActor, { email: t.w.producer.email }, t.svc);
  const file = { key: `raw/ab/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), size: 10, filename: 'x.csv' };
  const orgSlug = t.w.opd.slug;
  const region = await t.svc.db('wilayah').where({ kode_bps: '1801' }).first('id');
  const service = await perform(createServiceAccount, t.w.admin.actor, { slug: `registry-${Date.now().toString(36)}`, name: 'Aplikasi registry', org: orgSlug, datasets: [published] }, t.svc);
  inputs = {
    createOrganization: { slug: 'org-registry', name: 'Registry', kind: 'opd' },
    createUser: { email: 'registry@x.id', name: 'Registry', role: 'admin', password: 'panjang-sekali-12' },
    issueToken: { email: t.w.producer.email },
    revokeToken: { id: (token as { id: number }).id },
    signIn: { via: 'web' },
    changePassword: { current_password: 'rahasia-uji-123', new_password: 'kata-sandi-baru-registry' },
    requestPasswordReset: { email: t.w.producer.email },
    resetPassword: { token: reset!.token, new_password: 'kata-sandi-baru-registry' },
    updateOrganization: { slug: orgSlug, name: 'Registry' },
    setOrganizationActive: { slug: orgSlug, active: true },
    updateUser: { id: t.w.producer.actor.id, name: 'Registry' },
    setUserActive: { id: t.w.producer2.actor.id, active: true },
    issuePasswordReset: { id: t.w.producer.actor.id },
    endSessions: { id: t.w.producer.actor.id },
    createDataset: { organization: orgSlug, title: 'Judul registry', topic: 'sosial' },
    updateDataset: { slug: published, title: 'Diubah registry' },
    retractDataset: { slug: published, reason: 'registry' },
    uploadVersion: { slug: published, file },
    reloadVersion: { slug: published, number: 1, options: {} },
    submitVersion: { slug: queued.slug, number: qv.number },
    withdrawVersion: { slug: queued.slug, number: qv.number },
    reviewVersion: { slug: queued.slug, number: qv.number, decision: 'approve' },
    'reviewVersion@pembina': { slug: prio.slug, number: pv.number, decision: 'approve' },
    'reviewVersion#comment': { slug: queued.slug, number: qv.number, decision: 'comment', comment: 'Catatan' },
    unscheduleVersion: { slug: published, number: 1 },
    publishVersionNow: { slug: published, number: 1 },
    publishDueVersion: { version_id: Number(qv.id) },
    createDataListItem: { year: 2093, name: 'Butir registry', organization: orgSlug, frequency: 'tahunan' },
    updateDataListItem: { id: item.id, name: 'Butir registry', organization: orgSlug, frequency: 'tahunan' },
    deleteDataListItem: { id: item.id },
    linkDataListItem: { id: item.id, dataset: published },
    createRequest: { title: 'Minta data registry', name: 'Anon', email: 'anon@x.id' },
    routeRequest: { id: request.id, organization: orgSlug },
    answerRequest: { id: request.id, state: 'ditolak', answer: 'registry' },
    'answerRequest@routed': { id: routed.id, state: 'ditolak', answer: 'registry' },
    'routeRequest@routed': { id: routed.id, organization: t.w.otherOpd.slug },
    hideRequest: { id: request.id, reason: 'spam' },
    remindOrganization: { organization: orgSlug, year: 2093 },
    importDataList: { year: 2093, file: { key: file.key, sha256: file.sha256, filename: 'x.csv' } },
    setSource: { slug: published, kind: 'url', url: 'https://data.example.id/x.csv', schedule: 'daily' },
    requestSourceRun: { slug: published },
    createWebhook: { url: 'https://aplikasi.example.id/hook', events: ['published'], organization: orgSlug },
    deleteWebhook: { id: hook.id },
    setHeadlineIndicators: { indicators: [{ dataset: published, measure: 'jumlah', fn: 'sum' }] },
    createWilayah: { level: 'kabupaten_kota', kode_bps: '1897', kode_kemendagri: '18.97', nama: 'Registry', jenis: 'kabupaten', induk_bps: '18' },
    updateWilayah: { id: region.id, level: 'kabupaten_kota', kode_bps: '1801', kode_kemendagri: '18.04', nama: 'LAMPUNG BARAT', jenis: 'kabupaten', induk_bps: '18' },
    setWilayahActive: { id: region.id, active: true },
    createHarvestSource: { kind: 'dcat', url: 'https://data.kota-registry.example.id/catalog.ttl', name: 'Kota Registry' },
    requestHarvestRun: { id: harvest.id },
    harvestDataset: { source_id: harvest.id, remote_id: 'registry', remote_name: null, remote_url: null, title: 'Judul registry' },
    publishHarvestedVersion: { slug: published, number: 1 },
    createServiceAccount: { slug: 'app-registry', name: 'Registry', org: orgSlug, datasets: [published] },
    rotateServiceAccountToken: { id: service.id },
    revokeServiceAccount: { id: service.id },
    setServiceAccountDatasets: { id: service.id, datasets: [published] },
    setDatasetAutomation: { slug: published, auto_submit: true },
    'setDatasetAutomation@publish': { slug: published, auto_publish: true },
    autoPublishVersion: { slug: queued.slug, number: qv.number },
  };
});

const signedIn: Who[] = ['owner', 'otherProdusen', 'walidata', 'pembina', 'admin'];
/** Who may, per SPEC §1 (keys: action name, or name@variant for a second record). */
const EXPECTED: Record<string, Who[]> = {
  createOrganization: ['admin'],
  createUser: ['admin'],
  issueToken: ['owner', 'admin'],
  revokeToken: ['owner', 'admin'],
  signIn: signedIn,
  // One's own password only; a reset link only by the person it was made for.
  changePassword: signedIn,
  requestPasswordReset: signedIn,
  resetPassword: ['owner'],
  updateOrganization: ['admin'],
  setOrganizationActive: ['admin'],
  updateUser: ['admin'],
  setUserActive: ['admin'],
  issuePasswordReset: ['admin'],
  // "Sign out everywhere": one's own sessions, or anyone's for the admin.
  endSessions: ['owner', 'admin'],
  createDataset: ['owner', 'admin'],
  updateDataset: ['owner', 'walidata', 'admin'],
  retractDataset: ['walidata', 'admin'],
  uploadVersion: ['owner', 'admin'],
  reloadVersion: ['owner', 'admin'],
  submitVersion: ['owner', 'admin'],
  withdrawVersion: ['owner', 'admin'],
  reviewVersion: ['walidata', 'admin'],
  'reviewVersion@pembina': ['pembina'],
  // Comments: whoever sees the work (the pembina only from its own stage, not on this one).
  'reviewVersion#comment': ['owner', 'walidata', 'admin'],
  unscheduleVersion: ['walidata', 'admin'],
  publishVersionNow: ['walidata', 'admin'],
  publishDueVersion: [],
  createDataListItem: ['walidata', 'admin'],
  updateDataListItem: ['walidata', 'admin'],
  deleteDataListItem: ['walidata', 'admin'],
  linkDataListItem: ['owner', 'walidata', 'admin'],
  createRequest: ['public', ...signedIn],
  routeRequest: ['walidata', 'admin'],
  // Not routed yet: only the custodian answers.
  answerRequest: ['walidata', 'admin'],
  // Routed to the owner's OPD: its producers answer too; another OPD's do not (nor see it there).
  'answerRequest@routed': ['owner', 'walidata', 'admin'],
  // Sent on to another OPD: still the custodian's alone.
  'routeRequest@routed': ['walidata', 'admin'],
  hideRequest: ['walidata', 'admin'],
  remindOrganization: ['walidata', 'admin'],
  importDataList: ['walidata', 'admin'],
  // A source's runs upload as the one who set it: whoever may upload the dataset's versions.
  setSource: ['owner', 'admin'],
  requestSourceRun: ['owner', 'admin'],
  // An outbound channel: the custodian for anything, a producer for its own OPD.
  createWebhook: ['owner', 'walidata', 'admin'],
  deleteWebhook: ['owner', 'admin'],
  setHeadlineIndicators: ['walidata', 'admin'],
  // The reference codes: the walidata's (SPEC §1), and so the admin's.
  createWilayah: ['walidata', 'admin'],
  updateWilayah: ['walidata', 'admin'],
  setWilayahActive: ['walidata', 'admin'],
  // Bringing another portal's catalog in is the custodian's decision (SPEC §5).
  createHarvestSource: ['walidata', 'admin'],
  requestHarvestRun: ['walidata', 'admin'],
  // Only the harvester itself (sistem:panen) files harvested datasets and publishes what a source without review brings.
  harvestDataset: [],
  publishHarvestedVersion: [],
  // OPD applications' accounts (issue 12): the operator's.
  createServiceAccount: ['admin'],
  rotateServiceAccountToken: ['admin'],
  revokeServiceAccount: ['admin'],
  setServiceAccountDatasets: ['admin'],
  // auto_submit: the OPD or the custodian; auto_publish: the custodian's choice alone.
  setDatasetAutomation: ['owner', 'walidata', 'admin'],
  'setDatasetAutomation@publish': ['walidata', 'admin'],
  // Only the portal's automation actor publishes without a person.
  autoPublishVersion: [],
};

const actorOf = (who: Who): Actor | null =>
  who === 'public' ? null : { owner: t.w.producer, otherProdusen: t.w.otherProducer, walidata: t.w.walidata, pembina: t.w.pembina, admin: t.w.admin }[who].actor;

type AnyAction = Action<z.ZodType, unknown, unknown>;

/** The policy's answer for one actor: load as them (refused = hidden), then authorize; nothing is run. */
async function verdict(action: AnyAction, actor: Actor | null, raw: Record<string, unknown>): Promise<string> {
  const input = action.input.parse(raw);
  const trx = await t.svc.db.transaction();
  try {
    const record = await action.load(trx, input, actor);
    const v = action.authorize(actor, record, input);
    return v instanceof NotFound || v === 'hidden' ? 'hidden' : v === true ? 'allowed' : 'refused';
  } catch (err) {
    if (err instanceof NotFound) return 'hidden';
    throw err;
  } finally {
    await trx.rollback();
  }
}

const cases = () => Object.keys(EXPECTED);

describe('every action', () => {
  it('names a policy and a loader, and has a row here', () => {
    for (const [name, action] of Object.entries(actions)) {
      expect({ name, authorize: typeof action.authorize, load: typeof action.load, row: name in EXPECTED }).toEqual({ name, authorize: 'function', load: 'function', row: true });
    }
  });

  it.each(cases())('%s: its policy answers every role as SPEC §1 says', async (key) => {
    const name = key.split(/[@#]/)[0];
    const action = (actions as unknown as Record<string, AnyAction>)[name];
    const got: Who[] = [];
    for (const who of WHO) {
      if ((await verdict(action, actorOf(who), inputs[key])) === 'allowed') got.push(who);
    }
    expect(got).toEqual(EXPECTED[key]);
  });

  it.each(cases().filter((k) => !EXPECTED[k].includes('public')))('%s fails closed for the public (401 or 404, nothing recorded)', async (key) => {
    const name = key.split(/[@#]/)[0];
    const action = (actions as unknown as Record<string, AnyAction>)[name];
    // The policy itself, not only perform's guard: the public is never allowed.
    expect(await verdict(action, null, inputs[key])).not.toBe('allowed');
    const err = await perform(action, null, untrusted(inputs[key]), t.svc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect([401, 404]).toContain((err as AppError).status);
    const anonymous = await t.svc.db('audit_events').where({ action: action.name, actor_label: 'sistem' }).first();
    expect(anonymous).toBeUndefined();
  });

  it('the operator commands and the scheduler keep to their own', async () => {
    expect(await verdict(actions.publishDueVersion as unknown as AnyAction, schedulerActor, inputs.publishDueVersion)).toBe('allowed');
    expect(await verdict(actions.publishDueVersion as unknown as AnyAction, systemActor, inputs.publishDueVersion)).toBe('refused');
    expect(await verdict(actions.createOrganization as unknown as AnyAction, systemActor, inputs.createOrganization)).toBe('allowed');
    expect(await verdict(actions.reviewVersion as unknown as AnyAction, systemActor, inputs.reviewVersion)).toBe('refused');
    // The reference codes: the operator's command line (npm run cli -- wilayah:…), not the portal's own system actors.
    for (const name of ['createWilayah', 'updateWilayah', 'setWilayahActive'] as const) {
      const action = actions[name] as unknown as AnyAction;
      expect([name, await verdict(action, systemActor, inputs[name]), await verdict(action, schedulerActor, inputs[name])]).toEqual([name, 'allowed', 'refused']);
    }
  });
});
