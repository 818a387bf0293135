/**
 * GB/T 2260 province-level codes: the first two digits of every address (region) code, including
 * 71 台湾, 81 香港 and 82 澳门. ID numbers (GB 11643) and credit codes (GB 32100) both check them.
 */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

/**
 * An administrative division as the platform takes it: a GB/T 2260 county code (6 digits), or the
 * statistics office's township (9) or village (12) code that extends it.
 */
export const REGION_CODE_RE = /^\d{6}(\d{3}(\d{3})?)?$/;
