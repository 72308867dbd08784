import type { Express } from 'express';
import request from 'supertest';

/** The value of the first `_csrf` hidden field in an HTML page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1];
}

/**
 * The hidden fields of the page's (first) form posting to `action`, as a browser would send them
 * when its button is pressed.
 */
export function formOn(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action} in page`);
  const form = html.slice(start, html.indexOf('</form>', start));
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** A browser-like agent signed in through the real sign-in form (an app, or the base URL of a running process). */
export async function signedIn(app: Express | string, email: string, password: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email, password });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return agent;
}

/** An API token through POST /api/v1/tokens. */
export async function tokenFor(app: Express | string, email: string, password: string): Promise<string> {
  const res = await request(app).post('/api/v1/tokens').send({ email, password }).expect(201);
  return res.body.token as string;
}
