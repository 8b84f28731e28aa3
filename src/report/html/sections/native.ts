/** The benchmark's own headline (GAPS, HealthBench) beside the CAPS view, for imported banks. */
import type { Results } from '../../../schema/results.js';
import { NATIVE_TITLE, nativeTable } from '../../native.js';
import { section, table, type Html } from '../markup.js';

export function nativeSection(results: Results): Html | '' {
  const native = results.native;
  if (!native) return '';
  const { header, rows } = nativeTable(native);
  return section(
    'native',
    `${NATIVE_TITLE[native.profile]} headline beside the CAPS view`,
    `${native.label} The CAPS view scores the same answers with vetoes and zero rules applied.`,
    table(rows, header.map((h, i) => ({ header: h, cell: (row: string[]) => row[i], numeric: i > 0 }))),
  );
}
