import request from 'supertest';
import { perform } from '../../server/actions/action';
import { retractDataset, updateDataset } from '../../server/actions/datasets';
import { publishedDataset } from '../support/factories';
import { signedIn } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();

describe('dataset pages shared between readers who are not signed in', () => {
  it('shows a change of the dataset at once, though the page before it was shared', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    // (Two reads need not be equal: the view counter may be written between them, a change too.)
    for (let i = 0; i < 2; i++) expect((await request(t.app).get(`/dataset/${ds.slug}`).expect(200)).text).toContain(ds.title);
    await perform(updateDataset, t.w.producer.actor, { slug: ds.slug, title: 'Judul Yang Baru Diperbaiki' }, t.svc);
    expect((await request(t.app).get(`/dataset/${ds.slug}`).expect(200)).text).toContain('Judul Yang Baru Diperbaiki');
  });

  it('shows a change of the current version row at once (the dataset row unchanged)', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    for (let i = 0; i < 2; i++) expect((await request(t.app).get(`/dataset/${ds.slug}`).expect(200)).text).not.toContain('1999');
    const { id } = await t.svc.db('datasets').where({ slug: ds.slug }).first('current_version_id as id');
    await t.svc.db('versions').where({ id }).update({ published_at: new Date('1999-06-15T05:00:00Z') });
    expect((await request(t.app).get(`/dataset/${ds.slug}`).expect(200)).text).toContain('1999');
  });

  it('answers RDF to a client that asks for it on a dataset URL whose page is shared, and names Accept in Vary', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    for (let i = 0; i < 2; i++) {
      const page = await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers.vary).toMatch(/\bAccept\b/);
    }
    const rdf = await request(t.app).get(`/dataset/${ds.slug}`).set('Accept', 'text/turtle').expect(200);
    expect(rdf.headers['content-type']).toMatch(/^text\/turtle/);
    expect(rdf.text).toContain('dcat:Dataset');
  });

  it('never serves a shared copy of a page once the dataset is retracted or closed', async () => {
    const a = await publishedDataset(t.svc, t.w);
    const b = await publishedDataset(t.svc, t.w);
    for (const ds of [a.ds, b.ds]) await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    await perform(retractDataset, t.w.walidata.actor, { slug: a.ds.slug, reason: 'Angka keliru' }, t.svc);
    const gone = await request(t.app).get(`/dataset/${a.ds.slug}`).expect(410);
    expect(gone.text).not.toContain('BANDAR LAMPUNG');
    await perform(updateDataset, t.w.walidata.actor, { slug: b.ds.slug, access_level: 'tertutup' }, t.svc);
    await request(t.app).get(`/dataset/${b.ds.slug}`).expect(404);
  });

  it('gives a signed-in reader a page of their own, never the shared one (and shares nothing of theirs)', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const open = await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    expect(open.text).not.toContain('name="_csrf"');
    const agent = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const own = await agent.get(`/dataset/${ds.slug}`).expect(200);
    expect(own.text).toContain('name="_csrf"'); // the signed-in header's sign-out form
    const after = await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    expect(after.text).not.toContain('name="_csrf"');
    expect(after.text).toContain('href="/login"');
  });

  it('drops a retracted dataset from a shared search page at once, and a closed one too', async () => {
    const a = await publishedDataset(t.svc, t.w, undefined, { title: 'Tabel Bersama Alpha' });
    const b = await publishedDataset(t.svc, t.w, undefined, { title: 'Tabel Bersama Beta' });
    const search = () => request(t.app).get('/dataset?q=Tabel%20Bersama').expect(200);
    for (let i = 0; i < 2; i++) {
      const page = await search();
      expect(page.text).toContain(`/dataset/${a.ds.slug}`);
      expect(page.text).toContain(`/dataset/${b.ds.slug}`);
    }
    await perform(retractDataset, t.w.walidata.actor, { slug: a.ds.slug, reason: 'Angka keliru' }, t.svc);
    expect((await search()).text).not.toContain(`/dataset/${a.ds.slug}`);
    await perform(updateDataset, t.w.walidata.actor, { slug: b.ds.slug, access_level: 'tertutup' }, t.svc);
    expect((await search()).text).not.toContain(`/dataset/${b.ds.slug}`);
  });
});
