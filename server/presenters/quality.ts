import type { Quality, QualityPart } from '../quality/score';
import type { QualityOut } from './schemas/catalog';

const LABELS: Record<QualityPart['key'], { id: string; en: string }> = {
  metadata: { id: 'Kelengkapan metadata', en: 'Metadata completeness' },
  columns: { id: 'Dokumentasi kolom', en: 'Column documentation' },
  timeliness: { id: 'Ketepatan waktu', en: 'Timeliness' },
  openness: { id: 'Keterbukaan', en: 'Openness' },
  reference_codes: { id: 'Kode referensi', en: 'Reference codes' },
  validation: { id: 'Laporan validasi', en: 'Validation report' },
};

/** The quality score as the API and pages give it (SPEC §5 `quality`), in the reader's language. */
export function presentQuality(q: Quality | { score: number; parts: QualityPart[] } | null | undefined, lang: string): QualityOut | null {
  if (!q) return null;
  const en = lang === 'en';
  return {
    score: Number(q.score),
    band: q.score >= 80 ? 'tinggi' : q.score >= 60 ? 'sedang' : 'rendah',
    parts: q.parts.map((p) => ({
      key: p.key,
      label: en ? LABELS[p.key].en : LABELS[p.key].id,
      score: p.score,
      max: p.max,
      reason: p.reasons.map((r) => (en ? r.en : r.id)).join(' '),
    })),
  };
}
export type QualityView = NonNullable<ReturnType<typeof presentQuality>>;
