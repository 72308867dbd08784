import { bannerLines } from '../../server/banner';
import { requestLogLevel } from '../../server/request-log';

describe('a newcomer’s first start', () => {
  it('logs requests in development at debug level only (unseen by default), server errors as errors', () => {
    for (const status of [200, 302, 304, 404]) expect(requestLogLevel('development', status)).toBe('debug');
    expect(requestLogLevel('development', 500)).toBe('error');
    expect(requestLogLevel('development', 200, new Error('boom'))).toBe('error');
  });

  it('logs every request in production, failures a level higher', () => {
    expect(requestLogLevel('production', 200)).toBe('info');
    expect(requestLogLevel('production', 404)).toBe('warn');
    expect(requestLogLevel('production', 503)).toBe('error');
  });

  it('says where a cluster kept outside DATA_DIR lives and how to remove it', () => {
    const lines = bannerLines({ url: 'http://localhost:3000', dataDir: '/root/portal/data', clusterDir: '/var/lib/satudata/clusters/0123abcd' });
    expect(lines).toContain('Satu Data Portal is running at http://localhost:3000');
    expect(lines.join('\n')).toContain('cluster at /var/lib/satudata/clusters/0123abcd');
    expect(lines.join('\n')).toMatch(/stays when the checkout is deleted/);
    expect(lines).toContain("  To remove it, stop the portal, then run: rm -rf '/var/lib/satudata/clusters/0123abcd'");
  });

  it('gives no removal command for a cluster inside DATA_DIR, which goes with the checkout', () => {
    const lines = bannerLines({ url: 'http://localhost:3000', dataDir: './data', clusterDir: `${process.cwd()}/data/pg` });
    expect(lines.join('\n')).not.toContain('rm -rf');
  });

  it('lists the demo accounts with their password', () => {
    const lines = bannerLines({ url: 'u', dataDir: 'd', demo: { password: 'satudata-demo', accounts: [{ role: 'admin', email: 'admin@demo.satudata.id' }] } });
    expect(lines).toEqual(expect.arrayContaining(['Database: DATABASE_URL', 'Demo accounts (password: satudata-demo):', '  admin     admin@demo.satudata.id']));
  });
});
