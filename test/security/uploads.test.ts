import fs from 'node:fs';
import { testWorld } from '../support/world';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../server/app';
import { makeDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { csrfFrom, signedIn, tokenFor } from '../support/http';
import { testServices } from '../support/services';

const t = testWorld();

const bearer = async (u: { email: string; password: string }) => ({ Authorization: `Bearer ${await tokenFor(t.app, u.email, u.password)}` });

/** Every file kept in storage (incoming and raw), so a test can see that nothing was added. */
function storedFiles(root = t.svc.config.storageDir): string[] {
  const out: string[] = [];
  for (const dir of ['incoming', 'raw']) {
    const walk = (d: string) => {
      if (!fs.existsSync(d)) return;
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(path.relative(root, p));
      }
    };
    walk(path.join(root, dir));
  }
  return out.sort();
}

const FILE = Buffer.from(`${SMALL_CSV}1802,TANGGAMUS,${Date.now()},2025\n`);

describe('an upload is kept only once the caller may upload there', () => {
  it('refuses the public without keeping a byte, whether the dataset exists or not', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const before = storedFiles();
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).attach('file', FILE, 'a.csv').expect(401);
    await request(t.app).post('/api/v1/datasets/tidak-ada-sama-sekali/versions').attach('file', FILE, 'a.csv').expect(401);
    expect(storedFiles()).toEqual(before);
  });

  it('refuses another OPD’s producer and a browser session on the API without keeping a byte', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const before = storedFiles();
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(await bearer(t.w.otherProducer)).attach('file', FILE, 'a.csv').expect(404);
    await request(t.app).post('/api/v1/datasets/tidak-ada/versions').set(await bearer(t.w.producer)).attach('file', FILE, 'a.csv').expect(404);
    const browser = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await browser.post(`/api/v1/datasets/${ds.slug}/versions`).attach('file', FILE, 'a.csv').expect(401);
    // A browser session with some Authorization header is not a token either.
    await browser.post(`/api/v1/datasets/${ds.slug}/versions`).set('Authorization', 'Basic eDp5').attach('file', FILE, 'a.csv').expect(401);
    expect(storedFiles()).toEqual(before);
    expect(await t.svc.db('versions').where({ dataset_id: ds.id }).count('* as n').first()).toEqual({ n: 0 });
  });

  it('refuses a web upload without the form’s CSRF token, or with the token after the file, without keeping a byte', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const agent = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const page = await agent.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    const token = csrfFrom(page.text);
    const before = storedFiles();
    await agent.post(`/dashboard/datasets/${ds.slug}/versions`).attach('file', FILE, 'a.csv').expect(403);
    await agent.post(`/dashboard/datasets/${ds.slug}/versions`).field('_csrf', 'salah').attach('file', FILE, 'a.csv').expect(403);
    await agent.post(`/dashboard/datasets/${ds.slug}/versions`).attach('file', FILE, 'a.csv').field('_csrf', token).expect(403);
    expect(storedFiles()).toEqual(before);
    // With the token first, as the page's form sends it, the upload is taken.
    const ok = await agent.post(`/dashboard/datasets/${ds.slug}/versions`).field('_csrf', token).attach('file', FILE, 'a.csv').expect(303);
    expect(ok.headers.location).toBe(`/dashboard/datasets/${ds.slug}/versions/1`);
  });

  it('sends the public to sign in and refuses another OPD on the web without keeping a byte', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const before = storedFiles();
    const anon = await request(t.app).post(`/dashboard/datasets/${ds.slug}/versions`).attach('file', FILE, 'a.csv').expect(302);
    expect(anon.headers.location).toMatch(/^\/login/);
    const other = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    const token = csrfFrom((await other.get('/dashboard/datasets/new').expect(200)).text);
    await other.post(`/dashboard/datasets/${ds.slug}/versions`).field('_csrf', token).attach('file', FILE, 'a.csv').expect(404);
    expect(storedFiles()).toEqual(before);
  });

  it('discards the file of an upload the action then refuses', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const before = storedFiles();
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(await bearer(t.w.producer)).field('columns', '{bukan json').attach('file', FILE, 'a.csv').expect(400);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(await bearer(t.w.producer)).field('encoding', 'ebcdic').attach('file', FILE, 'a.csv').expect(400);
    expect(storedFiles()).toEqual(before);
  });

  it('holds each user to a daily upload quota, keeping nothing of a refused upload', async () => {
    const small = testServices({ env: { UPLOAD_QUOTA_MB_PER_DAY: '0.001' } }); // 1,048 bytes
    try {
      const quotaApp = createApp(small);
      const ds = await makeDataset(small, t.w.producer, t.w.opd.slug);
      const auth = { Authorization: `Bearer ${await tokenFor(quotaApp, t.w.producer.email, t.w.producer.password)}` };
      // Earlier uploads of this user today count too (the other tests' and this one's).
      await uploadContent(small, t.w.producer.actor, ds.slug, 'a,b\n1,2\n'.padEnd(600, '#'));
      const before = storedFiles(small.config.storageDir);
      const over = await request(quotaApp).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', Buffer.alloc(2000, 0x61), 'a.csv').expect(429);
      expect(over.body.error.code).toBe('upload_quota');
      expect(over.body.error.message).toMatch(/Kuota unggahan harian/);
      expect(storedFiles(small.config.storageDir)).toEqual(before);
    } finally {
      await small.close();
    }
  });
});

describe('every web form needs its CSRF token, multipart or not', () => {
  it('refuses a multipart POST without a token to submit, withdraw, comment, review, read and sign out', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    for (const url of [`/dashboard/datasets/${ds.slug}/versions/1/submit`, `/dashboard/datasets/${ds.slug}/versions/1/withdraw`, `/dashboard/datasets/${ds.slug}/versions/1/comment`, '/inbox/read', '/logout']) {
      await producer.post(url).field('comment', 'x').expect(403);
    }
    await walidata.post(`/review/${ds.slug}/1`).field('decision', 'comment').field('comment', 'x').expect(403);
    expect((await t.svc.db('versions').where({ dataset_id: ds.id }).first()).state).toBe('draft');
    await producer.get('/dashboard').expect(200); // still signed in: /logout was refused
  });
});
