// Weighted cluster choice (router/config_impl.cc pickWeightedCluster, tcp_proxy's WeightedClusterEntry):
// `random_value % total weight`, then the clusters in order, each taking [begin, begin + weight).

import type { TraceStep } from '../contract.js';

export interface Weighted {
  name: string;
  weight: number;
}

export interface WeightedPick<T extends Weighted> {
  chosen: T;
  index: number;
  total: number;
}

/** The cluster a random value selects; without one, the largest share (first on ties), which a trace follows. */
export function pickWeighted<T extends Weighted>(clusters: readonly T[], randomValue: number | undefined): WeightedPick<T> {
  const total = clusters.reduce((sum, c) => sum + c.weight, 0);
  if (randomValue === undefined || total === 0) {
    let index = 0;
    clusters.forEach((c, i) => {
      if (c.weight > clusters[index].weight) index = i;
    });
    return { chosen: clusters[index], index, total };
  }
  const selected = randomValue % total;
  let begin = 0;
  for (let index = 0; index < clusters.length; index++) {
    const end = begin + clusters[index].weight;
    if (selected >= begin && selected < end) return { chosen: clusters[index], index, total };
    begin = end;
  }
  return { chosen: clusters[clusters.length - 1], index: clusters.length - 1, total };
}

/** "weight 90 of 100 (90%)". */
const share = (c: Weighted, total: number): string => `weight ${c.weight} of ${total} (${total ? Math.round((c.weight / total) * 1000) / 10 : 0}%)`;

/** The trace step of a pick: the chosen cluster and why, the others with their share. */
export function pickStep(clusters: readonly Weighted[], pick: WeightedPick<Weighted>, randomValue: number | undefined): TraceStep {
  const why =
    randomValue === undefined || pick.total === 0
      ? `${share(pick.chosen, pick.total)}: the largest share, followed by this trace`
      : `${share(pick.chosen, pick.total)}: random value ${randomValue} % ${pick.total} = ${randomValue % pick.total} falls in its range`;
  const rejected = clusters.filter((_, i) => i !== pick.index).map((c) => ({ name: c.name, why: `${share(c, pick.total)} of requests go here` }));
  return { stage: 'weighted_clusters', chosen: pick.chosen.name, why, rejected };
}
