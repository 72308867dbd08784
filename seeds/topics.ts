/** Topics (sektor/urusan) every install has; they map to CKAN groups and dcat:theme. */
export const topics = [
  { slug: 'kependudukan', name_id: 'Kependudukan', name_en: 'Population', description_id: 'Jumlah, sebaran dan struktur penduduk', description_en: 'Size, distribution and structure of the population' },
  { slug: 'kemiskinan', name_id: 'Kemiskinan', name_en: 'Poverty', description_id: 'Penduduk miskin, garis kemiskinan dan ketimpangan', description_en: 'Poor population, poverty line and inequality' },
  { slug: 'kesehatan', name_id: 'Kesehatan', name_en: 'Health', description_id: 'Layanan, tenaga dan derajat kesehatan', description_en: 'Health services, workforce and outcomes' },
  { slug: 'pendidikan', name_id: 'Pendidikan', name_en: 'Education', description_id: 'Sekolah, murid, guru dan capaian pendidikan', description_en: 'Schools, pupils, teachers and attainment' },
  { slug: 'ekonomi', name_id: 'Ekonomi', name_en: 'Economy', description_id: 'PDRB, inflasi, ketenagakerjaan dan investasi', description_en: 'Regional GDP, inflation, labour and investment' },
  { slug: 'pertanian', name_id: 'Pertanian', name_en: 'Agriculture', description_id: 'Tanaman pangan, perkebunan, peternakan dan perikanan', description_en: 'Food crops, estates, livestock and fisheries' },
  { slug: 'infrastruktur', name_id: 'Infrastruktur', name_en: 'Infrastructure', description_id: 'Jalan, air bersih, listrik dan perumahan', description_en: 'Roads, water, electricity and housing' },
  { slug: 'pemerintahan', name_id: 'Pemerintahan', name_en: 'Government', description_id: 'Kinerja dan tata kelola pemerintahan, termasuk SPBE', description_en: 'Government performance and governance, including e-government (SPBE)' },
  { slug: 'sosial', name_id: 'Sosial', name_en: 'Social affairs', description_id: 'Perlindungan dan kesejahteraan sosial', description_en: 'Social protection and welfare' },
  { slug: 'lingkungan', name_id: 'Lingkungan Hidup', name_en: 'Environment', description_id: 'Kualitas lingkungan, kehutanan dan wilayah', description_en: 'Environmental quality, forestry and land' },
];
