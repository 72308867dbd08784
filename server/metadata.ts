// The vocabulary of dataset metadata: update frequencies, access levels and BPS MS-Ind fields.

export const FREQUENCIES = [
  'harian', 'mingguan', 'bulanan', 'triwulanan', 'semesteran', 'tahunan', 'dua_tahunan', 'ad_hoc',
] as const;
export const ACCESS_LEVELS = ['terbuka', 'terbatas', 'tertutup'] as const;

/** The statistical metadata of an indicator, after BPS MS-Ind. */
export const MS_IND_FIELDS = [
  'nama_indikator', 'konsep', 'definisi', 'interpretasi', 'metode_perhitungan', 'rumus', 'ukuran',
  'satuan', 'klasifikasi_penyajian', 'indikator_komposit', 'level_estimasi',
] as const;
export type MsIndField = (typeof MS_IND_FIELDS)[number];

/** The MS-Ind fields a complete metadata record must have (the others are optional). */
export const REQUIRED_MS_IND: readonly MsIndField[] = [
  'nama_indikator', 'konsep', 'definisi', 'metode_perhitungan', 'ukuran', 'satuan', 'level_estimasi',
];
export type Frequency = (typeof FREQUENCIES)[number];
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** The statistics class (UU 16/1997): *dasar* by BPS, *sektoral* by an OPD, *khusus* by others. */
export const STATISTICS_CLASSES = ['dasar', 'sektoral', 'khusus'] as const;
export type StatisticsClass = (typeof STATISTICS_CLASSES)[number];
