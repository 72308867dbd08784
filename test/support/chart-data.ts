/** Two years of three kabupaten/kota (BPS codes), a count and a rate: what the chart tests draw. */
export const REGION_YEARS_CSV = [
  'kode_kabupaten_kota,nama_kabupaten_kota,tahun,jumlah_penduduk,persentase_miskin',
  '1801,LAMPUNG BARAT,2023,300000,12.5',
  '1812,TULANG BAWANG BARAT,2023,280000,7.25',
  '1871,BANDAR LAMPUNG,2023,1100000,8.1',
  '1801,LAMPUNG BARAT,2024,313756,12.1',
  '1812,TULANG BAWANG BARAT,2024,290000,7.0',
  '1871,BANDAR LAMPUNG,2024,1177664,7.9',
].join('\n');
