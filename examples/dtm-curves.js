// Training curves of denoising thermodynamic models, from the JSON that `heatbath train dtm --curves`
// writes: per epoch, the largest autocorrelation over the steps (the paper's Fig. 5b measure), the
// correlation penalty λ of each step, and the samples' error on the step that denoises last.
// Run from a checkout after `npm run build`:
//   node examples/dtm-curves.js acp.json:ACP noacp.json:"no ACP" --out docs/dtm-acp.png
'use strict';
const fs = require('fs');
const { writeLinePlot } = require('../dist/lib');

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : 'dtm-curves.png';
const runs = args
  .filter((_, k) => k !== outAt && k !== outAt + 1)
  .map((spec) => {
    const [file, name = file] = spec.split(':');
    return { name, epochs: JSON.parse(fs.readFileSync(file, 'utf8')) };
  });
if (runs.length === 0) {
  console.error('usage: node examples/dtm-curves.js curves.json[:name] ... [--out plot.png]');
  process.exit(1);
}

const series = (name, epochs, value) => ({ name, x: epochs.map((e) => e.epoch), y: epochs.map(value) });
const panels = [
  {
    title: 'autocorrelation, worst step',
    xLabel: 'epoch',
    yLabel: 'autocorrelation',
    series: runs.map(({ name, epochs }) =>
      series(name, epochs, (e) => Math.max(...e.steps.map((s) => s.autocorrelation))),
    ),
  },
  {
    title: 'step 1: sample error',
    xLabel: 'epoch',
    yLabel: 'share of wrong bits',
    series: runs.map(({ name, epochs }) =>
      series(name, epochs, (e) => e.steps.find((s) => s.step === 1)?.denoiseError ?? NaN),
    ),
  },
  {
    title: 'penalty lambda, largest',
    xLabel: 'epoch',
    yLabel: 'lambda',
    yScale: 'log',
    series: runs.map(({ name, epochs }) => series(name, epochs, (e) => Math.max(...e.steps.map((s) => s.penalty)))),
  },
];
writeLinePlot(out, panels, { columns: 3 }).then(() => console.log(`wrote ${out}`));
