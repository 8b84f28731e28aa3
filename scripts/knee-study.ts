/**
 * The planted-data study of the depth knee (docs/statistics.md): 200 data sets per shape,
 * 4 levels x 30 items, item SD 20, 5-10% of answers vetoed to 0, the production decision
 * rule. Prints a Markdown table. Usage: npx tsx scripts/knee-study.ts [B] [data sets]
 */
import { type PlantedDepthOptions, plantedMeans, plantedStudy } from '../src/analysis/planted-depth.js';

const b = Number(process.argv[2] ?? 2000);
const dataSets = Number(process.argv[3] ?? 200);
const knee = { b, confidence: 0.95, minSupport: 0.6 };
const cases: PlantedDepthOptions[] = [
  { shape: 'bend', knot: 2, drop: 30 },
  { shape: 'bend', knot: 2, drop: 40 },
  { shape: 'bend', knot: 3, drop: 30 },
  { shape: 'bend', knot: 3, drop: 40 },
  { shape: 'step', knot: 2, drop: 30 },
  { shape: 'step', knot: 2, drop: 40 },
  { shape: 'step', knot: 1, drop: 30 },
  { shape: 'gradual', knot: 2, drop: 30 },
  { shape: 'gradual', knot: 2, drop: 40 },
  { shape: 'line', drop: 30 },
  { shape: 'line', drop: 45 },
  { shape: 'line', drop: 60 },
  { shape: 'flat' },
];
const pct = (count: number) => `${((100 * count) / dataSets).toFixed(1)}%`;
console.log(`B = ${b}, ${dataSets} data sets per row, min support ${knee.minSupport}\n`);
console.log('| planted | true means | knee at the planted level (any knee for line, flat) | knee elsewhere | rise | same, vetoed zeros fitted |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const planted of cases) {
  const apart = plantedStudy(planted, dataSets, knee, 1000);
  const dragged = plantedStudy(planted, dataSets, knee, 1000, true);
  const name = `${planted.shape}${planted.knot ? ` after ${planted.knot}` : ''}${planted.shape === 'flat' ? '' : `, ${planted.drop ?? 35} points`}`;
  console.log(
    `| ${name} | ${plantedMeans(planted).map((m) => Math.max(0, m).toFixed(0)).join(' / ')} | ${pct(apart.kneeAtPlanted)} | ${pct(apart.kneeElsewhere)} | ${pct(apart.rise)} | ${pct(dragged.kneeAtPlanted)} |`,
  );
}
