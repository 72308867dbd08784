import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, listen } from '../support/browser';
import { perform } from '../../server/actions/action';
import { createServiceAccount } from '../../server/actions/service-accounts';
import { PAUSE_AFTER_MS } from '../../server/exchange/webhooks';
import { publishedDataset } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { webhookWorld } from '../support/webhooks';

// The webhooks page (issue 12: "the OPD's and walidata's pages show … webhook deliveries"), with
// real deliveries to a real receiver (it takes `/ok`, refuses anything else).
const t = webhookWorld((r) => ({ status: r.path === '/ok' ? 204 : 500 }));
jest.setTimeout(120_000);

describe('the webhooks page', () => {
  it('lets the OPD subscribe (secret shown once, CSRF checked), shows each delivery’s status, attempts and next retry, and removes', async () => {
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const empty = await producer.get('/dashboard/webhooks').expect(200);
    expect(empty.text).toContain('Belum ada webhook');
    // Only its own OPD is offered; the whole catalog is not.
    expect(empty.text).toContain(`value="${t.w.opd.slug}"`);
    expect(empty.text).not.toContain(`value="${t.w.otherOpd.slug}"`);
    const csrf = csrfFrom(empty.text);
    const form = { url: `${t.base}/gagal`, events: ['published', 'version_published'], organization: t.w.opd.slug };
    await producer.post('/dashboard/webhooks').type('form').send(form).expect(403);
    expect(await t.svc.db('webhooks')).toHaveLength(0);
    const made = await producer.post('/dashboard/webhooks').type('form').send({ ...form, _csrf: csrf }).expect(201);
    const secret = /<code class="token-value">(whsec_[A-Za-z0-9_-]+)<\/code>/.exec(made.text)?.[1];
    expect(secret).toBeDefined();
    expect(made.headers['cache-control']).toBe('no-store');
    // Another OPD's organization is refused by the action's policy.
    await producer.post('/dashboard/webhooks').type('form').send({ ...form, organization: t.w.otherOpd.slug, _csrf: csrf }).expect(403);

    await publishedDataset(t.svc, t.w);
    await t.sweep();
    const page = await producer.get('/dashboard/webhooks').expect(200);
    expect(page.text).not.toContain(secret!);
    expect(page.text).toContain(`${t.base}/gagal`);
    expect(page.text).toContain('dicoba ulang (HTTP 500)');
    const [d] = await t.svc.db('webhook_deliveries');
    expect(page.text).toContain(`datetime="${new Date(d.next_attempt_at).toISOString()}"`);
    const english = await producer.get('/dashboard/webhooks?lang=en').set('Cookie', 'lang=en').expect(200);
    expect(english.text).toMatch(/retrying \(HTTP 500\)|dicoba ulang/);

    // The walidata sees its own subscriptions, not the OPD's; the pembina has no such page.
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    expect((await walidata.get('/dashboard/webhooks').expect(200)).text).not.toContain(`${t.base}/gagal`);
    await (await signedIn(t.app, t.w.pembina.email, t.w.pembina.password)).get('/dashboard/webhooks').expect(403);

    const hook = await t.svc.db('webhooks').first();
    await walidata.post(`/dashboard/webhooks/${hook.id}/delete`).type('form').send({ _csrf: csrfFrom((await walidata.get('/dashboard/webhooks')).text) }).expect(404);
    await producer.post(`/dashboard/webhooks/${hook.id}/delete`).type('form').send({ _csrf: csrf }).expect(303);
    expect(await t.svc.db('webhooks')).toHaveLength(0);
    const event = await t.svc.db('audit_events').where({ action: 'webhook.delete' }).first();
    expect(event.actor_id).toBe(t.w.producer.actor.id);
  });

  it('shows a paused subscriber as paused, and the pause notice links to the page', async () => {
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const csrf = csrfFrom((await walidata.get('/dashboard/webhooks').expect(200)).text);
    await walidata.post('/dashboard/webhooks').type('form').send({ _csrf: csrf, url: `${t.base}/mati`, events: 'published', organization: '' }).expect(201);
    const hook = await t.svc.db('webhooks').where({ owner_id: t.w.walidata.actor.id }).first();
    expect([hook.organization_id, hook.dataset_id]).toEqual([null, null]);
    await t.svc.db('webhooks').where({ id: hook.id }).update({ failing_since: new Date(Date.now() - PAUSE_AFTER_MS - 60_000) });
    await publishedDataset(t.svc, t.w);
    await t.sweep();
    const page = await walidata.get('/dashboard/webhooks').expect(200);
    expect(page.text).toContain('dijeda');
    expect(page.text).toContain('dihentikan');
    const inbox = await walidata.get('/inbox').expect(200);
    const link = /<a href="(\/inbox\/\d+)">Webhook ke [^<]*\/mati dijeda/.exec(inbox.text)?.[1];
    expect(link).toBeDefined();
    expect((await walidata.get(link!).expect(302)).headers.location).toBe('/dashboard/webhooks');
  });

  it('fits a 360 px phone: the webhooks page with a long URL and its deliveries, the admin’s service accounts, the automation panel', async () => {
    const shots = process.env.SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'satudata-screens');
    fs.mkdirSync(shots, { recursive: true });
    const { ds } = await publishedDataset(t.svc, t.w);
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const csrf = csrfFrom((await producer.get('/dashboard/webhooks').expect(200)).text);
    await producer.post('/dashboard/webhooks').type('form').send({ _csrf: csrf, url: `${t.base}/gagal/aplikasi-dinas-dengan-alamat-yang-sangat-panjang-sekali/terima-peristiwa`, events: 'published', organization: t.w.opd.slug }).expect(201);
    await publishedDataset(t.svc, t.w);
    await t.sweep();
    await perform(createServiceAccount, t.w.admin.actor, { slug: 'aplikasi-simpus-dinas-kesehatan-provinsi', name: 'Sistem Informasi Puskesmas Dinas Kesehatan', org: t.w.opd.slug, datasets: [ds.slug] }, t.svc);
    const { server, base: site } = await listen(t.app);
    const browser = await launchChromium();
    try {
      const pages: Array<[string, { email: string; password: string }, string]> = [
        ['webhooks', t.w.producer, '/dashboard/webhooks'],
        ['automation', t.w.walidata, `/dashboard/datasets/${ds.slug}#otomatis`],
        ['services', t.w.admin, '/admin/services'],
      ];
      for (const [name, who, url] of pages) {
        const page = await browser.newPage({ viewport: { width: 360, height: 780 } });
        await page.goto(`${site}/login`);
        await page.fill('input[name=email]', who.email);
        await page.fill('input[name=password]', who.password);
        await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
        await page.goto(`${site}${url}`, { waitUntil: 'load' });
        await page.screenshot({ path: path.join(shots, `${name}-360.png`), fullPage: true });
        expect([name, await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')]).toEqual([name, 0]);
        await page.close();
      }
    } finally {
      await browser.close();
      await new Promise((r) => server.close(r));
    }
  });
});
