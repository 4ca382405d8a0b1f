/**
 * The import rules of lib/ (docs/architecture.md): the folders stand on floors, and a folder imports only
 * folders on lower floors. Folders on the same floor do not import each other, so the folder graph has
 * no cycles by construction. `npm run lint:deps` fails on any violation. test/, bench/ (what is not
 * shipped) and examples/ are exempt: they exercise the library from outside.
 */
const FLOORS = [
  ['errors'],
  ['util'],
  ['linalg', 'reference'],
  // The addon's loader, binding types and run protocol, and what reads the addon's memory budget.
  ['native'],
  // File formats (they check sizes against the memory budget); graph builders (a graph holds its native colouring).
  ['io', 'graphs'],
  ['engines'],
  ['models', 'nn'],
  ['sampling', 'tla'],
  ['training'],
  // Digit evaluation: it trains its own classifier.
  ['eval'],
  // The public API (lib/index.ts) and the HTTP client (no native dependency, see below).
  ['index', 'client'],
  ['serve', 'bench'],
  ['cli'],
];

/** A folder of lib/, or one of the two files at its root (errors.ts, index.ts). */
const place = (names) => `^lib/(${names.join('|')})(/|\\.ts$)`;

// The top floor (cli) has nothing above it.
const floorRules = FLOORS.slice(0, -1).map((floor, level) => {
  const above = FLOORS.slice(level + 1).flat();
  const forbidden = floor.length > 1 ? [...above, ...floor] : above;
  return {
    name: `floor-${level}-${floor.join('-')}`,
    severity: 'error',
    comment:
      `${floor.join(', ')} may import only lower floors` +
      (floor.length > 1 ? ` (not ${floor.join(', ')} among themselves)` : '') +
      ': see docs/architecture.md',
    from: { path: place(floor) },
    to: {
      path: place(forbidden),
      // A folder imports itself freely ($1: the folder the import is from).
      pathNot: floor.length > 1 ? '^lib/$1(/|\\.ts$)' : undefined,
    },
  };
});

module.exports = {
  forbidden: [
    ...floorRules,
    {
      name: 'on-a-floor',
      severity: 'error',
      comment: 'every folder of lib/ stands on a floor: add a new folder to FLOORS',
      from: { path: '^lib/', pathNot: place(FLOORS.flat()) },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'modules of lib/ must not import each other in a cycle',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'client-without-native',
      severity: 'error',
      comment: 'heatbath/client runs where no addon is built: nothing it imports may reach lib/native',
      from: { path: '^lib/client/' },
      to: { path: '^lib/native/', reachable: true },
    },
    {
      name: 'lib-stands-alone',
      severity: 'error',
      comment: 'the package ships lib/: it must not import test/, bench/, examples/ or scripts/',
      from: { path: '^lib/' },
      to: { path: '^(test|bench|examples|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|build|prebuilds)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
    reporterOptions: {
      dot: { collapsePattern: '^lib/[^/]+' },
      archi: { collapsePattern: '^lib/[^/]+' },
    },
  },
};
