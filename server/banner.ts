// The lines `npm start` prints once the portal listens: where it runs, where its data is, the demo accounts.
import path from 'node:path';

/** What the start-up message says. */
export interface BannerFacts {
  url: string;
  dataDir: string;
  /** The embedded cluster's directory; absent with DATABASE_URL. */
  clusterDir?: string;
  /** The demo accounts and their password, when the demo was loaded. */
  demo?: { password: string; accounts: Array<{ role: string; email: string }> };
}

/** The start-up message, one entry per line. */
export function bannerLines(f: BannerFacts): string[] {
  const lines = ['', `Satu Data Portal is running at ${f.url}`];
  if (!f.clusterDir) lines.push('Database: DATABASE_URL');
  else {
    lines.push(`Database: embedded PostgreSQL, cluster at ${f.clusterDir}`);
    const inside = !path.relative(path.resolve(f.dataDir), path.resolve(f.clusterDir)).startsWith('..');
    if (!inside) {
      // As root the cluster lives where the postgres user can reach it: deleting the checkout leaves it.
      lines.push(
        `  It is kept outside ${f.dataDir} (PostgreSQL cannot run from there as root) and stays when the checkout is deleted.`,
        `  To remove it, stop the portal, then run: rm -rf '${f.clusterDir}'`,
      );
    }
  }
  if (f.demo) {
    lines.push(`Demo accounts (password: ${f.demo.password === 'satudata-demo' ? 'satudata-demo' : 'the DEMO_PASSWORD you set'}):`);
    for (const u of f.demo.accounts) lines.push(`  ${u.role.padEnd(9)} ${u.email}`);
  }
  lines.push('Press Ctrl-C to stop.', '');
  return lines;
}
