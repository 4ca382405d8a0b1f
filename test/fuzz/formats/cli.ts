/**
 * Argument vectors for the `heatbath` command: each starts as a cheap, valid invocation (tiny models and
 * data from the fixtures) and gets one to three mutations that know what an argument is: a count that sizes
 * memory gets huge, negative, hex, NaN or empty values; a count of work only small hostile ones (a request
 * for 1e9 sweeps is slow, not wrong); paths become directories, FIFOs, /dev/zero, missing directories;
 * schedules come from the schedule generator; words become prototype keys and garbage.
 */
import { PROTOTYPE_KEYS } from '../mutate-json';
import { CaseRandom } from '../random';
import { Fixtures } from '../seeds';
import { scheduleString } from './schedule';

/** What an argument is, which decides its hostile values. */
type Role = 'size' | 'work' | 'real' | 'span' | 'input' | 'output' | 'dir' | 'schedule' | 'word' | 'flag';

interface Arg {
  /** The option (absent for a positional argument). */
  flag?: string;
  value?: string;
  role: Role;
  /** Valid alternatives for a word. */
  words?: string[];
}

interface Template {
  command: string[];
  args: Arg[];
  /** Options the template leaves out, which a mutation may add. */
  extra: Arg[];
}

/** Each CLI case runs in a scratch directory holding these, made fresh for the case. */
export const SCRATCH_DIR = 'dir';
export const SCRATCH_FIFO = 'fifo';

const SIZES = [
  '0x10',
  '1e9',
  '-1',
  'NaN',
  '',
  'Infinity',
  '1.5',
  '0',
  '1e400',
  '9007199254740993',
  '4294967297',
  '2147483648',
  ' 7',
  '0b11',
  '1_000',
  '\u0663',
  '1e6',
  '65536',
];
const WORK = [
  '0x2',
  '-1',
  'NaN',
  '',
  'Infinity',
  '1.5',
  '0',
  '-0',
  '0b11',
  '1_0',
  ' 2',
  '2e0',
  '\u0663',
  '0.5',
  '1e400',
];
const REALS = ['NaN', '-1', '1e400', '1e-400', '0x10', '', '1e300', '-0', '5e-324', 'Infinity', '1e9', 'abc', '0'];
const SPANS = ['NaN', '-1', '0', '-0', '', '0x1', 'Infinity', '1e400', 'abc'];

function hostileWord(rng: CaseRandom, words: string[] = []): string {
  return rng.pick([...words, '', ...PROTOTYPE_KEYS, 'x'.repeat(10_000), '-1', 'all', '1,2', ':', 'é', '--json']);
}

function templates(f: Fixtures): Template[] {
  const out = (value: string): Arg => ({ flag: '--out', value, role: 'output' });
  const common: Arg[] = [
    { flag: '--seed', value: '3', role: 'size' },
    { flag: '--threads', value: '1', role: 'size' },
    { flag: '--json', role: 'flag' },
  ];
  const data: Arg[] = [
    { flag: '--data', value: f.images, role: 'input' },
    { flag: '--labels', value: f.labels, role: 'input' },
  ];
  const dataExtra: Arg[] = [
    { flag: '--binarize', value: 'stochastic', role: 'word', words: ['threshold', 'stochastic', 'none'] },
    { flag: '--test-fraction', value: '0.25', role: 'real' },
  ];
  return [
    {
      command: ['sample'],
      args: [
        { value: f.rbm, role: 'input' },
        { flag: '--n', value: '2', role: 'size' },
        { flag: '--sweeps', value: '2', role: 'work' },
        out('out.npy'),
      ],
      extra: [{ flag: '--beta', value: '2', role: 'real' }, { flag: '--states', role: 'flag' }, ...common],
    },
    {
      command: ['sample'],
      args: [{ value: f.gtc, role: 'input' }, { flag: '--n', value: '2', role: 'size' }, out('out.npy')],
      extra: [
        { flag: '--labels', value: '1', role: 'word', words: ['0', '1', 'all', '2', '10'] },
        { flag: '--temperature', value: '300', role: 'real' },
        { flag: '--states', role: 'flag' },
        ...common,
      ],
    },
    {
      command: ['sample'],
      args: [
        { value: f.dtm, role: 'input' },
        { flag: '--n', value: '2', role: 'size' },
        { flag: '--sweeps', value: '2', role: 'work' },
        out('out.npy'),
      ],
      extra: [
        { flag: '--labels', value: 'all', role: 'word', words: ['0', '1', 'all', '2', '10'] },
        {
          flag: '--anneal',
          value: '0.8:1.2',
          role: 'word',
          words: ['1:1', '0:0', '-1:2', '1e400:1', '1:2:3', 'NaN:1', ':'],
        },
        { flag: '--inpaint', value: 'top', role: 'word', words: ['top', 'bottom', 'left', 'right'] },
        { flag: '--path', value: 'path.png', role: 'output' },
        { flag: '--cell-energy', value: '1e-15', role: 'real' },
        ...common,
      ],
    },
    {
      command: ['train', 'rbm'],
      args: [
        ...data,
        { flag: '--hidden', value: '4', role: 'size' },
        { flag: '--epochs', value: '1', role: 'work' },
        { flag: '--batch', value: '4', role: 'size' },
        out('rbm.safetensors'),
      ],
      extra: [
        ...dataExtra,
        { flag: '--lr', value: '0.01', role: 'schedule' },
        { flag: '--method', value: 'cd', role: 'word', words: ['cd', 'pcd'] },
        { flag: '--k', value: '2', role: 'work' },
        { flag: '--chains', value: '3', role: 'size' },
        { flag: '--optimizer', value: 'adam', role: 'word', words: ['sgd', 'adam'] },
        { flag: '--momentum', value: '0.9', role: 'real' },
        { flag: '--weight-decay', value: '0', role: 'real' },
        { flag: '--init', value: f.rbm, role: 'input' },
        { flag: '--checkpoint-every', value: '1', role: 'work' },
        { flag: '--ais', role: 'flag' },
        { flag: '--ais-steps', value: '10', role: 'work' },
        { flag: '--ais-runs', value: '2', role: 'size' },
        ...common,
      ],
    },
    {
      command: ['train', 'gtc'],
      args: [
        ...data,
        { flag: '--hidden', value: '4', role: 'size' },
        { flag: '--batch', value: '2', role: 'size' },
        { flag: '--duration', value: '0.05', role: 'span' },
        { flag: '--dt', value: '0.01', role: 'span' },
        { flag: '--stride', value: '1', role: 'work' },
        out('gtc.safetensors'),
      ],
      extra: [
        ...dataExtra,
        { flag: '--lr', value: '0.001', role: 'schedule' },
        { flag: '--conditional', role: 'flag' },
        { flag: '--images', value: '10', role: 'size' },
        { flag: '--chunk-steps', value: '2', role: 'size' },
        { flag: '--update', value: 'online', role: 'word', words: ['trajectory', 'online'] },
        { flag: '--kt', value: '0.1', role: 'real' },
        { flag: '--j2', value: '1', role: 'real' },
        { flag: '--j4', value: '1', role: 'real' },
        { flag: '--mobility', value: '1', role: 'real' },
        { flag: '--label-dropout', value: '0.5', role: 'real' },
        { flag: '--label-init', value: 'zero', role: 'word', words: ['data', 'zero'] },
        { flag: '--init', value: f.gtc, role: 'input' },
        ...common,
      ],
    },
    {
      command: ['train', 'dtm'],
      args: [
        ...data,
        { flag: '--size', value: '10', role: 'size' },
        { flag: '--steps', value: '2', role: 'size' },
        { flag: '--epochs', value: '1', role: 'work' },
        { flag: '--batch', value: '4', role: 'size' },
        { flag: '--warmup', value: '2', role: 'work' },
        { flag: '--samples', value: '2', role: 'work' },
        { flag: '--thin', value: '1', role: 'work' },
        out('dtm.safetensors'),
      ],
      extra: [
        ...dataExtra,
        { flag: '--lr', value: 'cosine:0.02:0.002', role: 'schedule' },
        { flag: '--jumps', value: 'G8', role: 'word', words: ['G8', 'G12', 'G16', 'G20', 'G24'] },
        {
          flag: '--train-steps',
          value: '1',
          role: 'word',
          words: ['1', '2', '1-2', '2-1', '1,2', '0', '3', '1-', '-'],
        },
        { flag: '--conditional', role: 'flag' },
        { flag: '--image-rate', value: '0.5', role: 'real' },
        { flag: '--label-rate', value: '0.5', role: 'real' },
        { flag: '--no-acp', role: 'flag' },
        { flag: '--acp-threshold', value: '0.1', role: 'real' },
        { flag: '--acp-every', value: '1', role: 'work' },
        { flag: '--curves', value: 'curves.json', role: 'output' },
        { flag: '--init', value: f.dtm, role: 'input' },
        ...common,
      ],
    },
    {
      command: ['demo', 'ising'],
      args: [
        { flag: '--size', value: '4', role: 'size' },
        { flag: '--chains', value: '2', role: 'size' },
        { flag: '--sweeps', value: '2', role: 'work' },
        out('ising.png'),
      ],
      extra: common,
    },
    {
      command: ['merge', 'dtm'],
      args: [
        {
          value: `${f.dtm}:1-1`,
          role: 'word',
          words: [
            `${f.dtm}:0-0`,
            `${f.dtm}:2-1`,
            `${f.dtm}:1-9999999999`,
            f.dtm,
            ':1-1',
            `${SCRATCH_FIFO}:1-1`,
            `${f.rbm}:1-1`,
            `${f.dtm}:1-1:2`,
          ],
        },
        {
          value: `${f.dtm}:2-2`,
          role: 'word',
          words: [`${f.dtm}:1-2`, `${f.gtc}:2-2`, `/dev/zero:2-2`, `${SCRATCH_DIR}:2-2`],
        },
        out('merged.safetensors'),
      ],
      extra: [{ flag: '--json', role: 'flag' }],
    },
    {
      command: ['tngd'],
      args: [
        { flag: '--iterations', value: '1', role: 'work' },
        { flag: '--eval-every', value: '1', role: 'work' },
        { flag: '--hidden', value: '2', role: 'size' },
        { flag: '--batch', value: '2', role: 'size' },
        {
          flag: '--optimizers',
          value: 'sgd,tngd:t=1',
          role: 'word',
          words: [
            'adam:lr=1e400',
            'tngd:t=-1',
            'tngd:lambda=0',
            'tngd:t=1e9',
            'tngd:dt=0',
            'sgd:lr',
            'sgd:lr=',
            'ngd:lambda=0',
            ',',
            'tngd-adam:kappa=NaN',
            'sgd:lr=0x10',
          ],
        },
        { flag: '--out', value: 'curves.json', role: 'output' },
        { flag: '--plot', value: 'curves.png', role: 'output' },
      ],
      extra: [
        { flag: '--model', value: 'logistic', role: 'word', words: ['mlp', 'logistic'] },
        { flag: '--test-fraction', value: '0.5', role: 'real' },
        { flag: '--seed', value: '2', role: 'size' },
      ],
    },
    {
      command: ['eval'],
      args: [
        { value: f.samples, role: 'input' },
        { flag: '--cache-dir', value: f.cacheDir, role: 'dir' },
      ],
      extra: [
        { flag: '--labels', value: 'all', role: 'word', words: ['0', '9', 'all', '10', '-1'] },
        { flag: '--seed', value: '2', role: 'size' },
        { flag: '--json', role: 'flag' },
      ],
    },
  ];
}

function hostileValue(rng: CaseRandom, arg: Arg, f: Fixtures): string {
  const otherFiles = [f.rbm, f.samples, f.images, f.imagesGz, f.empty];
  switch (arg.role) {
    case 'size':
      return rng.pick(SIZES);
    case 'work':
      return rng.pick(WORK);
    case 'real':
      return rng.pick(REALS);
    case 'span':
      return rng.pick(SPANS);
    case 'input':
      return rng.pick([SCRATCH_DIR, SCRATCH_FIFO, '/dev/zero', 'no/such/dir/file', '', ...otherFiles]);
    case 'output': {
      const ext = (arg.value ?? '').replace(/^[^.]*/, '');
      // Only inside the case's scratch directory: as root, an atomic write over /dev/null would replace the device.
      return rng.pick([
        SCRATCH_DIR,
        `${SCRATCH_DIR}/`,
        `no/such/dir/out${ext}`,
        '',
        `${'x'.repeat(300)}${ext}`,
        `out${ext.toUpperCase()}`,
        'out',
        `${SCRATCH_FIFO}`,
        `out${ext}/`,
      ]);
    }
    case 'dir':
      return rng.pick([f.empty, SCRATCH_FIFO, '', '/dev/zero', `${f.empty}/sub`]);
    case 'schedule':
      // Linux takes at most 128 KiB per argument.
      return scheduleString(rng).slice(0, 100_000);
    case 'word':
      return rng.chance(0.5) && arg.words ? rng.pick(arg.words) : hostileWord(rng, arg.words);
    case 'flag':
      return '';
  }
}

function render(args: Arg[]): string[] {
  return args.flatMap((a) =>
    a.flag === undefined ? [a.value ?? ''] : a.role === 'flag' ? [a.flag] : [a.flag, a.value ?? ''],
  );
}

/** A mutated argument vector (without the node and script names). */
export function cliArguments(rng: CaseRandom, f: Fixtures): string[] {
  const template = rng.pick(templates(f));
  const args = template.args.map((a) => ({ ...a }));
  for (const extra of template.extra) if (rng.chance(0.2)) args.push({ ...extra });
  const mutations = rng.between(1, 3);
  for (let m = 0; m < mutations; m++) {
    const op = rng.int(10);
    if (op < 7) {
      const valued = args.filter((a) => a.role !== 'flag');
      const target = rng.pick(valued);
      if (target) target.value = hostileValue(rng, target, f);
    } else if (op === 7 && template.extra.length > 0) {
      const extra = { ...rng.pick(template.extra) };
      if (extra.role !== 'flag') extra.value = hostileValue(rng, extra, f);
      args.push(extra);
    } else if (op === 8 && args.length > 0) {
      args.splice(rng.int(args.length), 1);
    } else {
      args.splice(rng.int(args.length + 1), 0, {
        value: rng.pick(['--', '--bogus', '-n', '--n=2', 'extra', '--help', '-V', '--out=']),
        role: 'word',
      });
    }
  }
  return [...template.command, ...render(args)];
}
