/** What catalogs say about a license: a title and a canonical URL (SPDX ids we know of). */
export interface LicenseInfo {
  id: string;
  title: string;
  url: string | null;
  /** Open Definition conformant (CKAN `isopen`). */
  open: boolean;
}

const KNOWN: Record<string, Omit<LicenseInfo, 'id'>> = {
  'CC-BY-4.0': { title: 'Creative Commons Attribution 4.0', url: 'https://creativecommons.org/licenses/by/4.0/', open: true },
  'CC-BY-SA-4.0': { title: 'Creative Commons Attribution Share-Alike 4.0', url: 'https://creativecommons.org/licenses/by-sa/4.0/', open: true },
  'CC0-1.0': { title: 'Creative Commons CC0 1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/', open: true },
  'CC-BY-NC-4.0': { title: 'Creative Commons Attribution Non-Commercial 4.0', url: 'https://creativecommons.org/licenses/by-nc/4.0/', open: false },
  'ODbL-1.0': { title: 'Open Data Commons Open Database License 1.0', url: 'https://opendatacommons.org/licenses/odbl/1-0/', open: true },
  'ODC-By-1.0': { title: 'Open Data Commons Attribution License 1.0', url: 'https://opendatacommons.org/licenses/by/1-0/', open: true },
  'PDDL-1.0': { title: 'Open Data Commons Public Domain Dedication and License 1.0', url: 'https://opendatacommons.org/licenses/pddl/1-0/', open: true },
};

/** The license of a dataset (as stored, an SPDX id by default) with its title and URL. */
export function licenseInfo(id: string): LicenseInfo {
  const k = KNOWN[id] ?? Object.entries(KNOWN).find(([key]) => key.toLowerCase() === id.toLowerCase())?.[1];
  return k ? { id, ...k } : { id, title: id, url: null, open: false };
}
