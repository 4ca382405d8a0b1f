import { graphs } from '../lib';
import * as build from '../lib/graphs/builders';
import { SeededRandom } from '../lib/util/random';

function degrees(spec: { numNodes: number; src: Int32Array; dst: Int32Array }): Int32Array {
  const d = new Int32Array(spec.numNodes);
  spec.src.forEach((a, e) => {
    d[a]++;
    d[spec.dst[e]]++;
  });
  return d;
}

function isProper(spec: { src: Int32Array; dst: Int32Array }, colours: Int32Array): boolean {
  return spec.src.every((a, e) => colours[a] !== colours[spec.dst[e]]);
}

describe('builders', () => {
  test('edges are normalised: src < dst, sorted, no duplicates', () => {
    const spec = build.edgeSpec(5, [
      [3, 1],
      [0, 4],
      [1, 0],
    ]);
    expect(Array.from(spec.src)).toEqual([0, 0, 1]);
    expect(Array.from(spec.dst)).toEqual([1, 4, 3]);
    expect(() => build.edgeSpec(5, { src: [0, 1], dst: [1] })).toThrow(/same length/);
  });

  test('periodic and open square lattices', () => {
    const periodic = build.lattice2d(6, 4);
    expect(periodic.src.length).toBe(2 * 24);
    expect(degrees(periodic).every((d) => d === 4)).toBe(true);
    expect(isProper(periodic, periodic.colours!)).toBe(true);
    const open = build.lattice2d(6, 4, { periodic: false });
    expect(open.src.length).toBe(5 * 4 + 6 * 3);
    // An odd periodic side has no checkerboard: no colouring is claimed.
    expect(build.lattice2d(5, 4).colours).toBeUndefined();
    // Sides of 2 wrap onto the same neighbour twice: one edge is kept.
    expect(build.lattice2d(2, 2).src.length).toBe(4);
  });

  test("king's graph: 8 neighbours, 4L² edges, 4 natural colours", () => {
    const king = build.king(8);
    expect(king.src.length).toBe(4 * 64);
    expect(degrees(king).every((d) => d === 8)).toBe(true);
    expect(new Set(king.colours).size).toBe(4);
    expect(isProper(king, king.colours!)).toBe(true);
  });

  test('DTM tori G8…G24: degree 4·jumps, bipartite', () => {
    const sizes = { G8: 8, G12: 12, G16: 16, G20: 20, G24: 24 } as const;
    for (const [name, degree] of Object.entries(sizes)) {
      const spec = build.torus(70, { jumps: name as keyof typeof sizes });
      expect(spec.src.length).toBe((degree / 2) * 4900);
      expect(degrees(spec).every((d) => d === degree)).toBe(true);
      expect(isProper(spec, spec.colours!)).toBe(true);
    }
    expect(() => build.torus(10, { jumps: [[10, 0]] })).toThrow(/lands on the node itself/);
    expect(() => build.torus(10, { jumps: 'G99' as never })).toThrow(/jumps must be/);
  });

  test('random regular graphs are simple, d-regular and reproducible', () => {
    const a = build.randomRegular(1000, 5, { seed: 7 });
    expect(degrees(a).every((d) => d === 5)).toBe(true);
    const keys = new Set(Array.from(a.src, (s, e) => s * 1000 + a.dst[e]));
    expect(keys.size).toBe(a.src.length);
    expect(a.src.every((s, e) => s < a.dst[e])).toBe(true);
    const b = build.randomRegular(1000, 5, { seed: 7 });
    expect(b.dst).toEqual(a.dst);
    expect(build.randomRegular(1000, 5, { seed: 8 }).dst).not.toEqual(a.dst);
    expect(() => build.randomRegular(5, 3)).toThrow(/even/);
    const big = build.randomRegular(100000, 16, { seed: 1 });
    expect(big.src.length).toBe(800000);
  });

  test('bad sizes are rejected', () => {
    expect(() => build.lattice2d(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => build.king(3.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => build.complete(-1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('Graph: blocks', () => {
  test('natural colourings are used and DSATUR finds 2 colours on bipartite graphs', () => {
    expect(graphs.king(16).numBlocks).toBe(4);
    expect(graphs.torus(20, { jumps: 'G16' }).numBlocks).toBe(2);
    expect(graphs.lattice2d(8, 8, { blocks: 'dsatur' }).numBlocks).toBe(2);
    const g = graphs.randomRegular(200, 3, { seed: 1 });
    expect(isProper(g, g.blocks())).toBe(true);
    expect(g.numBlocks).toBeLessThanOrEqual(4);
  });

  test('user blocks are accepted when valid', () => {
    const blocks = Array.from({ length: 16 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2);
    const g = graphs.lattice2d(4, 4, { blocks });
    expect(Array.from(g.blocks())).toEqual(blocks);
  });
});

test('SeededRandom is reproducible and roughly uniform', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  const xs = Array.from({ length: 10000 }, () => a.float());
  expect(xs).toEqual(Array.from({ length: 10000 }, () => b.float()));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / xs.length));
  const counts = new Array(7).fill(0);
  for (let k = 0; k < 70000; k++) counts[a.int(7)]++;
  for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(5 * Math.sqrt(10000));
});
