// A retraction and an admin choosing a service account's datasets deadlocked under load (seen in
// the server log: the notice insert's key-share lock on the service account's user row against the
// service account's dataset rows' key-share lock on the FOR UPDATE'd dataset). Each edge is pinned.
import { perform } from '../../server/actions/action';
import { lockDataset, retractDataset } from '../../server/actions/datasets';
import { producersOf } from '../../server/actions/notify';
import { createServiceAccount, setServiceAccountDatasets } from '../../server/actions/service-accounts';
import { makeDataset, publishedDataset, uid } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld();
jest.setTimeout(120_000);

describe('dataset locks and notices', () => {
  it('a dataset locked by an action still lets rows that refer to it be written beside it', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const first = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const sa = await perform(createServiceAccount, t.w.admin.actor, { slug: `app-${uid()}`, name: 'Aplikasi kunci', org: t.w.opd.slug, datasets: [first.slug] }, t.svc);
    const holder = await t.svc.db.transaction();
    try {
      await lockDataset(holder, ds.slug);
      // With FOR UPDATE this insert waits for the holder (its foreign key takes a key-share lock on
      // the dataset's row) and the lock timeout ends it.
      await t.svc.db.transaction(async (tx) => {
        await tx.raw("SET LOCAL lock_timeout = '3s'");
        await tx('service_account_datasets').insert({ user_id: sa.id, dataset_id: ds.id });
      });
      // A second change to the dataset itself still waits for the holder.
      const other = t.svc.db.transaction(async (tx) => {
        await tx.raw("SET LOCAL lock_timeout = '1s'");
        await tx('datasets').where({ id: ds.id }).update({ title: 'diubah' });
      });
      await expect(other).rejects.toThrow(/lock timeout/);
    } finally {
      await holder.rollback();
    }
  });

  it('notices go to the OPD\'s people, never to its service accounts', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const other = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const sa = await perform(createServiceAccount, t.w.admin.actor, { slug: `app-${uid()}`, name: 'Aplikasi', org: t.w.opd.slug, datasets: [ds.slug] }, t.svc);
    const people = await producersOf(t.svc.db, t.w.opd.id);
    expect(people).toContain(t.w.producer.actor.id);
    expect(people).not.toContain(sa.id);
    // A retraction and choosing the account's datasets, at the same moment, both go through.
    await Promise.all([
      perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'uji kunci' }, t.svc),
      perform(setServiceAccountDatasets, t.w.admin.actor, { id: sa.id, datasets: [other.slug] }, t.svc),
    ]);
    const [{ n }] = await t.svc.db('notifications').where({ user_id: sa.id }).count<{ n: string }[]>({ n: '*' });
    expect(Number(n)).toBe(0);
  });
});
