import { perform } from '../../server/actions/action';
import { createDataListItem } from '../../server/actions/datalist';
import { retractDataset } from '../../server/actions/datasets';
import { createRequest } from '../../server/actions/requests';
import { requesterActor } from '../../server/policies/actor';
import { findDataListItem, linkableDatasets } from '../../server/queries/datalist-page';
import { openDatasetTitle, requestHandleChoices } from '../../server/queries/requests';
import { loadManageDashboard } from '../../server/queries/scorecard-pages';
import { versionNumberOf } from '../../server/queries/sources';
import { makeDataset, publishedDataset, uid } from '../support/factories';
import { testWorld } from '../support/world';

// The page loaders moved out of the web routes, asked directly: what each returns, and what it
// leaves out for the reader.

const t = testWorld();

describe('page loaders', () => {
  it('name only open published datasets as what feedback is about and what a request may be answered with', async () => {
    const open = (await publishedDataset(t.svc, t.w, undefined, { title: `Pemuat Terbuka ${uid()}` })).ds;
    const closed = (await publishedDataset(t.svc, t.w, undefined, { title: `Pemuat Tertutup ${uid()}`, access_level: 'tertutup' })).ds;
    const retracted = (await publishedDataset(t.svc, t.w, undefined, { title: `Pemuat Ditarik ${uid()}` })).ds;
    await perform(retractDataset, t.w.walidata.actor, { slug: retracted.slug, retract: true, reason: 'Salah hitung' }, t.svc);
    const draft = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: `Pemuat Draf ${uid()}` });

    expect(await openDatasetTitle(t.svc.db, open.slug)).toEqual({ slug: open.slug, title: open.title });
    for (const hidden of [closed, retracted, draft]) expect(await openDatasetTitle(t.svc.db, hidden.slug)).toBeNull();
    expect(await openDatasetTitle(t.svc.db, 'tidak-ada')).toBeNull();

    const orgId = (await t.svc.db('organizations').where({ slug: t.w.opd.slug }).first('id')).id as number;
    const forWalidata = await requestHandleChoices(t.svc.db, t.w.walidata.actor, orgId);
    expect(forWalidata.organizations.map((o) => o.slug)).toEqual(expect.arrayContaining([t.w.opd.slug, t.w.otherOpd.slug]));
    const slugs = forWalidata.datasets.map((d) => d.slug);
    expect(slugs).toContain(open.slug);
    for (const hidden of [closed, retracted, draft]) expect(slugs).not.toContain(hidden.slug);
    // The other OPD's open datasets are not offered for a request routed to this one.
    const otherOrgId = (await t.svc.db('organizations').where({ slug: t.w.otherOpd.slug }).first('id')).id as number;
    expect((await requestHandleChoices(t.svc.db, t.w.walidata.actor, otherOrgId)).datasets.map((d) => d.slug)).not.toContain(open.slug);
    // Only who may route is offered the OPDs.
    expect((await requestHandleChoices(t.svc.db, t.w.producer.actor, orgId)).organizations).toEqual([]);
  });

  it('load a data-list item with its OPD and topic slugs, and the datasets it may be linked to', async () => {
    const item = await perform(createDataListItem, t.w.walidata.actor, { year: 2032, name: `Pemuat ${uid()}`, organization: t.w.opd.slug, topic: 'kependudukan', frequency: 'tahunan' }, t.svc);
    const row = await findDataListItem(t.svc.db, item.id);
    expect(row).toMatchObject({ id: item.id, year: 2032, organization_slug: t.w.opd.slug, topic_slug: 'kependudukan', frequency: 'tahunan' });
    expect(await findDataListItem(t.svc.db, 2_000_000_000)).toBeNull();
    const draft = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: `Pemuat Tautan ${uid()}` });
    expect((await linkableDatasets(t.svc.db, t.w.producer.actor, row!.organization_id)).map((d) => d.slug)).toContain(draft.slug);
    // Another OPD's producer sees none of this OPD's work.
    expect((await linkableDatasets(t.svc.db, t.w.otherProducer.actor, row!.organization_id)).map((d) => d.slug)).not.toContain(draft.slug);
  });

  it('count new requests on the management dashboard, and name a run\'s version by its number', async () => {
    // Other files route and hide their own requests meanwhile: this one stays new, so at least one is counted.
    await perform(createRequest, requesterActor, { title: `Permintaan pemuat ${uid()}`, name: 'Warga', email: 'warga@uji.id' }, t.svc);
    const page = await loadManageDashboard(t.svc.db, t.w.walidata.actor, t.svc.config.timeZone);
    expect(page.newRequests).toBeGreaterThanOrEqual(1);
    expect(page.items.every((e) => [page.year - 1, page.year, page.year + 1].includes(e.year))).toBe(true);
    const { v } = await publishedDataset(t.svc, t.w);
    expect(await versionNumberOf(t.svc.db, v.id)).toBe(Number(v.number));
    expect(await versionNumberOf(t.svc.db, null)).toBeNull();
  });
});
