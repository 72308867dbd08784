import { perform } from '../../server/actions/action';
import { retractDataset, updateDataset } from '../../server/actions/datasets';
import { reloadVersion, reviewVersion, submitVersion, withdrawVersion, type Decision } from '../../server/actions/versions';
import { AppError } from '../../server/errors';
import type { Actor } from '../../server/policies/actor';
import { makeDataset, makeWorld, SMALL_CSV, uploadContent, type World } from '../support/factories';
import { testServices, type TestServices } from '../support/services';

let svc: TestServices;
let w: World;

beforeAll(async () => {
  svc = testServices();
  w = await makeWorld(svc);
});
afterAll(() => svc.close());

/** The HTTP status an action ends with (200 when it succeeds). */
async function status(fn: () => Promise<unknown>): Promise<number> {
  try {
    await fn();
    return 200;
  } catch (err) {
    if (err instanceof AppError) return err.status;
    throw err;
  }
}

/** Runs an action and checks it left exactly one audit event of its name on the dataset. */
async function once<T>(datasetId: number, action: string, fn: () => Promise<T>): Promise<T> {
  const count = async () => Number((await svc.db('audit_events').where({ dataset_id: datasetId, action }).count<{ n: number }[]>({ n: '*' }))[0].n);
  const before = await count();
  const out = await fn();
  expect(await count()).toBe(before + 1);
  return out;
}

async function versionIn(state: 'draft' | 'submitted' | 'verified' | 'changes_requested' | 'published' | 'rejected', prioritas = false) {
  const ds = await makeDataset(svc, w.producer, w.opd.slug, { prioritas });
  const v = await uploadContent(svc, w.producer.actor, ds.slug, SMALL_CSV);
  const ref = { slug: ds.slug, number: v.number };
  if (state !== 'draft') await perform(submitVersion, w.producer.actor, ref, svc);
  if (state === 'changes_requested') await perform(reviewVersion, w.walidata.actor, { ...ref, decision: 'request_changes', comment: 'Perbaiki' }, svc);
  if (state === 'rejected') await perform(reviewVersion, w.walidata.actor, { ...ref, decision: 'reject', comment: 'Bukan data sektoral' }, svc);
  if (state === 'verified' || state === 'published') await perform(reviewVersion, w.walidata.actor, { ...ref, decision: 'approve' }, svc);
  if (state === 'published' && prioritas) await perform(reviewVersion, w.pembina.actor, { ...ref, decision: 'approve' }, svc);
  return { ds, v, ref };
}

const review = (actor: Actor, ref: { slug: string; number: number }, decision: Decision, comment = 'catatan') =>
  perform(reviewVersion, actor, { ...ref, decision, comment }, svc);

describe('every transition, allowed and refused by role', () => {
  it('submit: only the OPD (or admin) may, only from draft or changes_requested', async () => {
    const { ref } = await versionIn('draft');
    expect(await status(() => perform(submitVersion, w.otherProducer.actor, ref, svc))).toBe(404);
    expect(await status(() => perform(submitVersion, w.walidata.actor, ref, svc))).toBe(403);
    expect(await status(() => perform(submitVersion, w.pembina.actor, ref, svc))).toBe(404);
    expect(await status(() => perform(submitVersion, null, ref, svc))).toBe(404);
    expect(await status(() => perform(submitVersion, w.producer2.actor, ref, svc))).toBe(200);
    expect(await status(() => perform(submitVersion, w.producer.actor, ref, svc))).toBe(409);
    const rejected = await versionIn('rejected');
    expect(await status(() => perform(submitVersion, w.producer.actor, rejected.ref, svc))).toBe(409);
    const published = await versionIn('published');
    expect(await status(() => perform(submitVersion, w.producer.actor, published.ref, svc))).toBe(409);
  });

  it('withdraw: returns a submission to draft; not from other states', async () => {
    const { ds, v, ref } = await versionIn('submitted');
    expect(await status(() => perform(withdrawVersion, w.walidata.actor, ref, svc))).toBe(403);
    await once(ds.id, 'version.withdraw', () => perform(withdrawVersion, w.producer.actor, ref, svc));
    expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe('draft');
    expect(await status(() => perform(withdrawVersion, w.producer.actor, ref, svc))).toBe(409);
    const verified = await versionIn('verified', true);
    expect(await status(() => perform(withdrawVersion, w.producer.actor, verified.ref, svc))).toBe(409);
  });

  it('the walidata decides on submissions: approve, request changes, reject — producers and pembina may not', async () => {
    for (const decision of ['approve', 'request_changes', 'reject'] as const) {
      const { ds, v, ref } = await versionIn('submitted');
      expect(await status(() => review(w.producer2.actor, ref, decision))).toBe(403);
      expect(await status(() => review(w.pembina.actor, ref, decision))).toBe(404); // not priority: no access to the work
      await once(ds.id, 'version.review', () => review(w.walidata.actor, ref, decision));
      const expected = { approve: 'published', request_changes: 'changes_requested', reject: 'rejected' }[decision];
      expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe(expected);
      expect(await status(() => review(w.walidata2.actor, ref, decision))).toBe(409);
    }
  });

  it('requesting changes or rejecting needs a comment', async () => {
    const { ref } = await versionIn('submitted');
    expect(await status(() => review(w.walidata.actor, ref, 'request_changes', ''))).toBe(400);
    expect(await status(() => review(w.walidata.actor, ref, 'reject', ''))).toBe(400);
  });

  it('changes_requested → the producer edits metadata and submits again → approved', async () => {
    const { ds, v, ref } = await versionIn('changes_requested');
    await once(ds.id, 'dataset.update', () => perform(updateDataset, w.producer.actor, { slug: ds.slug, description: 'Deskripsi diperbaiki' }, svc));
    await once(ds.id, 'version.submit', () => perform(submitVersion, w.producer.actor, ref, svc));
    await review(w.walidata.actor, ref, 'approve');
    expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe('published');
  });

  it('changes_requested → the producer uploads a new version and submits that instead', async () => {
    const { ds, v } = await versionIn('changes_requested');
    const v2 = await uploadContent(svc, w.producer.actor, ds.slug, SMALL_CSV.replace('2025', '2026'));
    await perform(submitVersion, w.producer.actor, { slug: ds.slug, number: v2.number }, svc);
    await review(w.walidata.actor, { slug: ds.slug, number: v2.number }, 'approve');
    expect((await svc.db('versions').where({ id: v2.id }).first()).state).toBe('published');
    expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe('changes_requested');
  });

  it('only one version of a dataset is under review at a time', async () => {
    const { ds } = await versionIn('submitted');
    const v2 = await uploadContent(svc, w.producer.actor, ds.slug, SMALL_CSV);
    expect(await status(() => perform(submitVersion, w.producer.actor, { slug: ds.slug, number: v2.number }, svc))).toBe(409);
  });

  it('a version with validation errors cannot be submitted', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const v = await uploadContent(svc, w.producer.actor, ds.slug, 'kode_provinsi,nilai\n18,10\n99,abc\n');
    expect(v.state).toBe('draft');
    const err = await perform(submitVersion, w.producer.actor, { slug: ds.slug, number: v.number }, svc).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(409);
  });
});

describe('the prioritas path through the pembina', () => {
  it('walidata approval verifies, the pembina approval publishes', async () => {
    const { ds, v, ref } = await versionIn('submitted', true);
    await review(w.walidata.actor, ref, 'approve');
    expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe('verified');
    expect((await svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBeNull();
    expect(await status(() => review(w.walidata2.actor, ref, 'approve'))).toBe(403); // the second check is the pembina's
    expect(await status(() => review(w.producer.actor, ref, 'approve'))).toBe(403);
    await once(ds.id, 'version.review', () => review(w.pembina.actor, ref, 'approve'));
    expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe('published');
    expect((await svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBe(v.id);
  });

  it('the pembina may request changes or reject', async () => {
    const a = await versionIn('verified', true);
    await review(w.pembina.actor, a.ref, 'request_changes', 'Selaraskan dengan rilis BPS');
    expect((await svc.db('versions').where({ id: a.v.id }).first()).state).toBe('changes_requested');
    const b = await versionIn('verified', true);
    await review(w.pembina.actor, b.ref, 'reject', 'Tidak sesuai metodologi');
    expect((await svc.db('versions').where({ id: b.v.id }).first()).state).toBe('rejected');
  });

  it('the pembina cannot act on, nor know of, priority submissions the walidata has not passed', async () => {
    const a = await versionIn('submitted', true);
    expect(await status(() => review(w.pembina.actor, a.ref, 'approve'))).toBe(404);
    expect(await status(() => review(w.pembina.actor, a.ref, 'comment', 'Lihat'))).toBe(404);
  });
});

describe('locks during review', () => {
  it('refuses to change a submitted version (409), or its metadata by the producer', async () => {
    const { ds, ref } = await versionIn('submitted');
    expect(await status(() => perform(reloadVersion, w.producer.actor, { ...ref, options: { delimiter: ';' } }, svc))).toBe(409);
    expect(await status(() => perform(updateDataset, w.producer.actor, { slug: ds.slug, title: 'Diubah saat ditinjau' }, svc))).toBe(409);
    expect(await status(() => perform(updateDataset, w.walidata.actor, { slug: ds.slug, description: 'Dirapikan walidata' }, svc))).toBe(200);
  });
});

describe('separation of duties', () => {
  it('nobody decides on a version they uploaded or submitted, whatever their role', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const v = await uploadContent(svc, w.admin.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, w.admin.actor, { slug: ds.slug, number: v.number }, svc);
    expect(await status(() => review(w.admin.actor, { slug: ds.slug, number: v.number }, 'approve'))).toBe(403);
    expect(await status(() => review(w.walidata.actor, { slug: ds.slug, number: v.number }, 'approve'))).toBe(200);
  });
});

describe('retraction', () => {
  it('the walidata retracts with a reason and restores; producers cannot; data is kept', async () => {
    const { ds, v } = await versionIn('published');
    expect(await status(() => perform(retractDataset, w.producer.actor, { slug: ds.slug, reason: 'x' }, svc))).toBe(403);
    expect(await status(() => perform(retractDataset, w.walidata.actor, { slug: ds.slug, reason: '' }, svc))).toBe(400);
    await once(ds.id, 'dataset.retract', () => perform(retractDataset, w.walidata.actor, { slug: ds.slug, reason: 'Angka keliru' }, svc));
    const row = await svc.db('datasets').where({ id: ds.id }).first();
    expect(row.retracted_reason).toBe('Angka keliru');
    expect(row.current_version_id).toBe(v.id);
    expect(await status(() => perform(retractDataset, w.walidata.actor, { slug: ds.slug, reason: 'lagi' }, svc))).toBe(409);
    await perform(retractDataset, w.walidata.actor, { slug: ds.slug, retract: false }, svc);
    expect((await svc.db('datasets').where({ id: ds.id }).first()).retracted_at).toBeNull();
  });
});

describe('notifications', () => {
  const inbox = (userId: number | null, datasetId: number) => svc.db('notifications').where({ user_id: userId, dataset_id: datasetId }).orderBy('id');

  it('tell reviewers of submissions and producers of decisions and comments', async () => {
    const { ds, ref } = await versionIn('submitted');
    expect((await inbox(w.walidata.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted']);
    expect((await inbox(w.walidata2.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted']);
    expect(await inbox(w.producer.actor.id, ds.id)).toEqual([]); // not told of their own submission
    await review(w.walidata.actor, ref, 'request_changes', 'Lengkapi definisi');
    const p = await inbox(w.producer.actor.id, ds.id);
    expect(p.map((n) => [n.kind, n.details.decision])).toEqual([['decision', 'request_changes']]);
    expect((await inbox(w.producer2.actor.id, ds.id)).map((n) => n.kind)).toEqual(['decision']);
    expect(await inbox(w.otherProducer.actor.id, ds.id)).toEqual([]);
    await review(w.producer.actor, ref, 'comment', 'Sudah kami lengkapi');
    expect((await inbox(w.walidata.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted', 'comment']);
    expect((await inbox(w.walidata2.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted']); // did not review this one
  });

  it('tell the pembina when a priority version is verified', async () => {
    const { ds } = await versionIn('verified', true);
    expect((await inbox(w.pembina.actor.id, ds.id)).map((n) => n.kind)).toEqual(['verified']);
  });
});

describe('the decision keeps the checklist as evaluated', () => {
  it('stores the four checks with the approval', async () => {
    const { v } = await versionIn('published');
    const r = await svc.db('reviews').where({ version_id: v.id, decision: 'approve' }).first();
    expect(r.checklist.map((c: { key: string }) => c.key)).toEqual(['standar_data', 'metadata_lengkap', 'interoperabilitas', 'kode_referensi']);
    expect(r.checklist[3].pass).toBe(true);
  });
});
