import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { listen } from '../support/browser';
import { makeWorld, type World } from '../support/factories';
import { csrfFrom } from '../support/http';
import { testServices, type TestServices } from '../support/services';

// A flash message set before a redirect ("Perubahan … disimpan.") must be in the stored session
// before the browser can follow the Location: express-session writes the headers before its save
// is done, so a browser that followed at once read the session without it (seen in Chromium on a
// loaded machine). Here the session store's writes are held until the redirect's headers have
// arrived (or, with the fix, could not arrive): the headers must come after the write.

let svc: TestServices;
let w: World;
let server: Server;
let base: string;
beforeAll(async () => {
  svc = testServices();
  w = await makeWorld(svc);
  ({ server, base } = await listen(createApp(svc)));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await svc.close();
});

/** Cookies of a fetch answer, kept as a browser would (name=value only). */
const cookiesOf = (res: Response, jar: Map<string, string>) => {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
};

it('a redirect with a flash message is sent only once the session holding it is stored', async () => {
  const jar = new Map<string, string>();
  let cookie = '';
  const go = async (pathname: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${pathname}`, { ...init, redirect: 'manual', headers: { cookie, ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } });
    cookie = cookiesOf(res, jar);
    return res;
  };
  const login = await (await go('/login')).text();
  const signIn = await go('/login', { method: 'POST', body: new URLSearchParams({ _csrf: csrfFrom(login), email: w.walidata.email, password: w.walidata.password }).toString() });
  expect(signIn.status).toBe(303);
  const page = await (await go('/manage/wilayah')).text();
  const code = await svc.db('wilayah').where({ kode_bps: '1872' }).first('id');

  // Hold the session store's writes until the answer's headers are in (a guard lets them go
  // after 3 s: with the fix the headers wait for the write, so they cannot come first).
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let written = 0;
  const pool = svc.sessionPool as unknown as { query: (...a: unknown[]) => Promise<unknown> };
  const query = pool.query.bind(pool);
  pool.query = (...a: unknown[]) => {
    const text = String((a[0] as { text?: string })?.text ?? a[0]);
    if (!/^\s*(INSERT|UPDATE)/i.test(text) || !text.includes('sessions')) return query(...a);
    return gate.then(() => query(...a)).then((r) => ((written = Date.now()), r));
  };
  const guard = setTimeout(release, 3000);
  try {
    const answer = go(`/manage/wilayah/${code.id}/active`, { method: 'POST', body: new URLSearchParams({ _csrf: csrfFrom(page), active: 'true' }).toString() }).then((res) => ({ res, at: Date.now() }));
    const { res, at } = await answer;
    release();
    expect(res.status).toBe(303);
    expect({ headersAfterWrite: written > 0 && written <= at }).toEqual({ headersAfterWrite: true });
    await res.text();
  } finally {
    clearTimeout(guard);
    release();
    pool.query = query;
  }
  // And the page it leads to shows the message.
  expect(await (await go('/manage/wilayah')).text()).toContain('flash-ok');
});
