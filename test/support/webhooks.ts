import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverDueWebhooks, enqueueWebhookEvents } from '../../server/exchange/webhooks';
import { testWorld, type TestWorld } from './world';

/** One request the receiver got. */
export interface Received {
  path: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** What a webhook test file works with: its world, a real receiver and the dispatcher. */
export interface WebhookWorld extends TestWorld {
  /** The receiver's address, `http://127.0.0.1:<port>`: subscribe to `${base}/<any path>`. */
  base: string;
  /** Every request the receiver got, in order. */
  received: Received[];
  /** Queues the events since the last sweep and delivers what is due; how many were delivered. */
  sweep(): Promise<number>;
}

/**
 * The set-up of a webhook test file: a world on a database of its own (the dispatcher's cursor
 * and the deliveries are the whole database's), allowed to deliver to 127.0.0.1, and a real
 * receiver on a free port that answers each request with `answer(request)`. The dispatcher
 * starts at the first event after the world is made.
 */
export function webhookWorld(answer: (r: Received) => { status: number; body?: string }): WebhookWorld {
  const t = testWorld({ isolated: true, env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } }) as WebhookWorld;
  t.received = [];
  t.sweep = async () => {
    await enqueueWebhookEvents(t.svc, 0);
    return deliverDueWebhooks(t.svc);
  };
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { path: req.url ?? '', body, headers: req.headers };
      t.received.push(r);
      const a = answer(r);
      res.writeHead(a.status).end(a.body);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    t.base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    await enqueueWebhookEvents(t.svc, 0); // the dispatcher starts here
  });
  t.beforeClose(() => new Promise<void>((r) => receiver.close(() => r())));
  return t;
}
