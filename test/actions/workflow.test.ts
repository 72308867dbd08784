import { perform } from '../../server/actions/action';
import { testWorld } from '../support/world';
import { retractDataset, updateDataset } from '../../server/actions/datasets';
import { reloadVersion, reviewVersion, submitVersion, withdrawVersion, type Decision } from '../../server/actions/versions';
import { AppError } from '../../server/errors';
import type { Actor } from '../../server/policies/actor';
import { makeDataset, SMALL_CSV, uploadContent } from '../support/factories';

const t = testWorld();


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
  const count = async () => Number((await t.svc.db('audit_events').where({ dataset_id: datasetId, action }).count<{ n: number }[]>({ n: '*' }))[0].n);
  const before = await count();
  const out = await fn();
  expect(await count()).toBe(before + 1);
  return out;
}

async function versionIn(state: 'draft' | 'submitted' | 'verified' | 'changes_requested' | 'published' | 'rejected', prioritas = false) {
  const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { prioritas });
  const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
  const ref = { slug: ds.slug, number: v.number };
  if (state !== 'draft') await perform(submitVersion, t.w.producer.actor, ref, t.svc);
  if (state === 'changes_requested') await perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'request_changes', comment: 'Perbaiki' }, t.svc);
  if (state === 'rejected') await perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'reject', comment: 'Bukan data sektoral' }, t.svc);
  if (state === 'verified' || state === 'published') await perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'approve' }, t.svc);
  if (state === 'published' && prioritas) await perform(reviewVersion, t.w.pembina.actor, { ...ref, decision: 'approve' }, t.svc);
  return { ds, v, ref };
}

const review = (actor: Actor, ref: { slug: string; number: number }, decision: Decision, comment = 'catatan') =>
  perform(reviewVersion, actor, { ...ref, decision, comment }, t.svc);

describe('every transition, allowed and refused by role', () => {
  it('submit: only the OPD (or admin) may, only from draft or changes_requested', async () => {
    const { ref } = await versionIn('draft');
    expect(await status(() => perform(submitVersion, t.w.otherProducer.actor, ref, t.svc))).toBe(404);
    expect(await status(() => perform(submitVersion, t.w.walidata.actor, ref, t.svc))).toBe(403);
    expect(await status(() => perform(submitVersion, t.w.pembina.actor, ref, t.svc))).toBe(404);
    expect(await status(() => perform(submitVersion, null, ref, t.svc))).toBe(404);
    expect(await status(() => perform(submitVersion, t.w.producer2.actor, ref, t.svc))).toBe(200);
    expect(await status(() => perform(submitVersion, t.w.producer.actor, ref, t.svc))).toBe(409);
    const rejected = await versionIn('rejected');
    expect(await status(() => perform(submitVersion, t.w.producer.actor, rejected.ref, t.svc))).toBe(409);
    const published = await versionIn('published');
    expect(await status(() => perform(submitVersion, t.w.producer.actor, published.ref, t.svc))).toBe(409);
  });

  it('withdraw: returns a submission to draft; not from other states', async () => {
    const { ds, v, ref } = await versionIn('submitted');
    expect(await status(() => perform(withdrawVersion, t.w.walidata.actor, ref, t.svc))).toBe(403);
    await once(ds.id, 'version.withdraw', () => perform(withdrawVersion, t.w.producer.actor, ref, t.svc));
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('draft');
    expect(await status(() => perform(withdrawVersion, t.w.producer.actor, ref, t.svc))).toBe(409);
    const verified = await versionIn('verified', true);
    expect(await status(() => perform(withdrawVersion, t.w.producer.actor, verified.ref, t.svc))).toBe(409);
  });

  it('the walidata decides on submissions: approve, request changes, reject — producers and pembina may not', async () => {
    for (const decision of ['approve', 'request_changes', 'reject'] as const) {
      const { ds, v, ref } = await versionIn('submitted');
      expect(await status(() => review(t.w.producer2.actor, ref, decision))).toBe(403);
      expect(await status(() => review(t.w.pembina.actor, ref, decision))).toBe(404); // not priority: no access to the work
      await once(ds.id, 'version.review', () => review(t.w.walidata.actor, ref, decision));
      const expected = { approve: 'published', request_changes: 'changes_requested', reject: 'rejected' }[decision];
      expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe(expected);
      expect(await status(() => review(t.w.walidata2.actor, ref, decision))).toBe(409);
    }
  });

  it('requesting changes or rejecting needs a comment', async () => {
    const { ref } = await versionIn('submitted');
    expect(await status(() => review(t.w.walidata.actor, ref, 'request_changes', ''))).toBe(400);
    expect(await status(() => review(t.w.walidata.actor, ref, 'reject', ''))).toBe(400);
  });

  it('changes_requested → the producer edits metadata and submits again → approved', async () => {
    const { ds, v, ref } = await versionIn('changes_requested');
    await once(ds.id, 'dataset.update', () => perform(updateDataset, t.w.producer.actor, { slug: ds.slug, description: 'Deskripsi diperbaiki' }, t.svc));
    await once(ds.id, 'version.submit', () => perform(submitVersion, t.w.producer.actor, ref, t.svc));
    await review(t.w.walidata.actor, ref, 'approve');
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('published');
  });

  it('changes_requested → the producer uploads a new version and submits that instead', async () => {
    const { ds, v } = await versionIn('changes_requested');
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV.replace('2025', '2026'));
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
    await review(t.w.walidata.actor, { slug: ds.slug, number: v2.number }, 'approve');
    expect((await t.svc.db('versions').where({ id: v2.id }).first()).state).toBe('published');
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('changes_requested');
  });

  it('only one version of a dataset is under review at a time', async () => {
    const { ds } = await versionIn('submitted');
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    expect(await status(() => perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc))).toBe(409);
  });

  it('a version with validation errors cannot be submitted', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, 'kode_provinsi,nilai\n18,10\n99,abc\n');
    expect(v.state).toBe('draft');
    const err = await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(409);
  });
});

describe('the prioritas path through the pembina', () => {
  it('walidata approval verifies, the pembina approval publishes', async () => {
    const { ds, v, ref } = await versionIn('submitted', true);
    await review(t.w.walidata.actor, ref, 'approve');
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('verified');
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBeNull();
    expect(await status(() => review(t.w.walidata2.actor, ref, 'approve'))).toBe(403); // the second check is the pembina's
    expect(await status(() => review(t.w.producer.actor, ref, 'approve'))).toBe(403);
    await once(ds.id, 'version.review', () => review(t.w.pembina.actor, ref, 'approve'));
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('published');
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBe(v.id);
  });

  it('the pembina may request changes or reject', async () => {
    const a = await versionIn('verified', true);
    await review(t.w.pembina.actor, a.ref, 'request_changes', 'Selaraskan dengan rilis BPS');
    expect((await t.svc.db('versions').where({ id: a.v.id }).first()).state).toBe('changes_requested');
    const b = await versionIn('verified', true);
    await review(t.w.pembina.actor, b.ref, 'reject', 'Tidak sesuai metodologi');
    expect((await t.svc.db('versions').where({ id: b.v.id }).first()).state).toBe('rejected');
  });

  it('the pembina cannot act on, nor know of, priority submissions the walidata has not passed', async () => {
    const a = await versionIn('submitted', true);
    expect(await status(() => review(t.w.pembina.actor, a.ref, 'approve'))).toBe(404);
    expect(await status(() => review(t.w.pembina.actor, a.ref, 'comment', 'Lihat'))).toBe(404);
  });
});

describe('locks during review', () => {
  it('refuses to change a submitted version (409), or its metadata by the producer', async () => {
    const { ds, ref } = await versionIn('submitted');
    expect(await status(() => perform(reloadVersion, t.w.producer.actor, { ...ref, options: { delimiter: ';' } }, t.svc))).toBe(409);
    expect(await status(() => perform(updateDataset, t.w.producer.actor, { slug: ds.slug, title: 'Diubah saat ditinjau' }, t.svc))).toBe(409);
    expect(await status(() => perform(updateDataset, t.w.walidata.actor, { slug: ds.slug, description: 'Dirapikan walidata' }, t.svc))).toBe(200);
  });
});

describe('separation of duties', () => {
  it('nobody decides on a version they uploaded or submitted, whatever their role', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.admin.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, t.w.admin.actor, { slug: ds.slug, number: v.number }, t.svc);
    expect(await status(() => review(t.w.admin.actor, { slug: ds.slug, number: v.number }, 'approve'))).toBe(403);
    expect(await status(() => review(t.w.walidata.actor, { slug: ds.slug, number: v.number }, 'approve'))).toBe(200);
  });
});

describe('retraction', () => {
  it('the walidata retracts with a reason and restores; producers cannot; data is kept', async () => {
    const { ds, v } = await versionIn('published');
    expect(await status(() => perform(retractDataset, t.w.producer.actor, { slug: ds.slug, reason: 'x' }, t.svc))).toBe(403);
    expect(await status(() => perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: '' }, t.svc))).toBe(400);
    await once(ds.id, 'dataset.retract', () => perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'Angka keliru' }, t.svc));
    const row = await t.svc.db('datasets').where({ id: ds.id }).first();
    expect(row.retracted_reason).toBe('Angka keliru');
    expect(row.current_version_id).toBe(v.id);
    expect(await status(() => perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'lagi' }, t.svc))).toBe(409);
    await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, retract: false }, t.svc);
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).retracted_at).toBeNull();
  });
});

describe('notifications', () => {
  const inbox = (userId: number | null, datasetId: number) => t.svc.db('notifications').where({ user_id: userId, dataset_id: datasetId }).orderBy('id');

  it('tell reviewers of submissions and producers of decisions and comments', async () => {
    const { ds, ref } = await versionIn('submitted');
    expect((await inbox(t.w.walidata.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted']);
    expect((await inbox(t.w.walidata2.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted']);
    expect(await inbox(t.w.producer.actor.id, ds.id)).toEqual([]); // not told of their own submission
    await review(t.w.walidata.actor, ref, 'request_changes', 'Lengkapi definisi');
    const p = await inbox(t.w.producer.actor.id, ds.id);
    expect(p.map((n) => [n.kind, n.details.decision])).toEqual([['decision', 'request_changes']]);
    expect((await inbox(t.w.producer2.actor.id, ds.id)).map((n) => n.kind)).toEqual(['decision']);
    expect(await inbox(t.w.otherProducer.actor.id, ds.id)).toEqual([]);
    await review(t.w.producer.actor, ref, 'comment', 'Sudah kami lengkapi');
    expect((await inbox(t.w.walidata.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted', 'comment']);
    expect((await inbox(t.w.walidata2.actor.id, ds.id)).map((n) => n.kind)).toEqual(['submitted']); // did not review this one
  });

  it('tell the pembina when a priority version is verified', async () => {
    const { ds } = await versionIn('verified', true);
    expect((await inbox(t.w.pembina.actor.id, ds.id)).map((n) => n.kind)).toEqual(['verified']);
  });
});

describe('the decision keeps the checklist as evaluated', () => {
  it('stores the four checks with the approval', async () => {
    const { v } = await versionIn('published');
    const r = await t.svc.db('reviews').where({ version_id: v.id, decision: 'approve' }).first();
    expect(r.checklist.map((c: { key: string }) => c.key)).toEqual(['standar_data', 'metadata_lengkap', 'interoperabilitas', 'kode_referensi']);
    expect(r.checklist[3].pass).toBe(true);
  });
});
