import type { Express } from 'express';

/** Every route the app registers, as "METHOD /path" (walking the router stack, nested routers included; `all` as ALL). */
export function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  type Layer = { rawPath?: string | string[]; route?: { methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[], prefix: string) => {
    for (const l of stack) {
      const paths = Array.isArray(l.rawPath) ? l.rawPath : [l.rawPath ?? ''];
      for (const p of paths) {
        if (l.route) for (const m of Object.keys(l.route.methods)) out.push(`${m === '_all' ? 'ALL' : m.toUpperCase()} ${prefix}${p}`);
        else if (l.handle?.stack) walk(l.handle.stack, prefix + (p === '/' ? '' : p));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}
