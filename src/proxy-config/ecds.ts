// `istioctl proxy-config ecds` (istioctl/pkg/writer/envoy/configdump/ecds.go PrintEcdsSummary): the
// extension configs of every EcdsConfigDump section, by type URL then name.

import type { EcdsFilter } from '../dump/types.js';
import { goSortSlice } from '../util/go-sort.js';
import { tabwrite, TABLE } from './tabwriter.js';
import { tableLines, type KindOutput } from './types.js';

const typeUrl = (f: EcdsFilter): string => f.typed_config?.['@type'] ?? '';

export const sortedEcds = (filters: EcdsFilter[]): EcdsFilter[] =>
  goSortSlice([...filters], (a, b) => (typeUrl(a) === typeUrl(b) ? a.name < b.name : typeUrl(a) < typeUrl(b)));

export function ecdsSummary(filters: EcdsFilter[]): KindOutput {
  const headers = ['ECDS NAME', 'TYPE'];
  const rows = sortedEcds(filters).map((f) => [f.name, typeUrl(f).replace(/^type\.googleapis\.com\//, '')]);
  return { kind: 'ecds', headers, rows, text: tabwrite(tableLines(headers, rows), TABLE) };
}
