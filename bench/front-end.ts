// The front end alone (npm run build, then npx tsx bench/front-end.ts [services]): read YAML and read + check, CPU ms medians.
import { parseManifests, readDocuments } from './built.js';
import { syntheticMesh } from './mesh.js';

const services = Number(process.argv[2] ?? 1000);
const text = syntheticMesh(services);
let run = 0;
const cold = (): string => `# run ${++run}\n${text.replaceAll('\n---\n', `\n---\n# run ${run}\n`)}`;
const cpu = (f: () => void): number => {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1];
for (let i = 0; i < 3; i++) parseManifests(cold());
const read = median(Array.from({ length: 9 }, () => { const t = cold(); return cpu(() => void readDocuments(t)); }));
const all = median(Array.from({ length: 9 }, () => { const t = cold(); return cpu(() => void parseManifests(t)); }));
const mbps = (ms: number): string => (text.length / 1e6 / (ms / 1000)).toFixed(1);
console.log(`${(text.length / 2 ** 20).toFixed(2)} MiB: read ${read.toFixed(1)} ms (${mbps(read)} MB/s), checks ${(all - read).toFixed(1)} ms, total ${all.toFixed(1)} ms (${mbps(all)} MB/s)`);
