import type { OrganizationPage } from '../queries/organization-page';
import { presentOrganization } from './catalog';
import { presentDataset } from './dataset';
import { listingMeta } from './page-meta';

/** The view-model of `/organization/:slug`: its datasets and its publishing record. */
export function presentOrganizationPage(page: OrganizationPage, opts: { base: string; lang: 'id' | 'en'; t: (k: string, o?: Record<string, unknown>) => string }) {
  const org = presentOrganization(page.organization);
  const years = [...new Set(page.published.map((p) => p.year))].sort((a, b) => b - a);
  const record = years.map((year) => {
    const quarters = [1, 2, 3, 4].map((q) => page.published.find((p) => p.year === year && p.quarter === q)?.n ?? 0);
    return { year, quarters, total: quarters.reduce((a, n) => a + n, 0) };
  });
  const scorecard = page.hasScorecard ? `/opd/${encodeURIComponent(org.slug)}` : null;
  return {
    title: org.name,
    organization: org,
    datasets: page.datasets.rows.map((d) => presentDataset(d, opts)),
    total: page.datasets.total,
    record,
    dataList: page.dataList.map(({ year, card }) => ({
      year,
      items: card.items,
      deliveries: card.deliveries,
      on_time: card.on_time,
      late: card.late,
      overdue: card.overdue,
      href: `${scorecard}?tahun=${year}`,
    })),
    scorecard,
    pageMeta: listingMeta({
      title: org.name,
      description: org.description,
      fallback: opts.t('portal.org.description', { name: org.name }),
      url: `${opts.base}/organization/${encodeURIComponent(org.slug)}`,
      lang: opts.lang,
    }),
  };
}
