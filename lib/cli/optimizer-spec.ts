/**
 * Optimizer specifications for `heatbath tngd`: "<name>[:key=value]…", e.g. "adam:lr=0.003",
 * "tngd:t=20:td=5:lr=0.03", "tngd-adam:t=20:lr=0.003". Keys: lr (learning rate), t (analog time),
 * td (delay), dt (largest Euler–Maruyama step), lambda (damping), kappa (device noise κ₀).
 *
 * The defaults are the best of a learning-rate grid on the 784-64-10 MLP (batch 32, 500 iterations),
 * and damping λ = 1: with the paper's λ = 0.01 exact natural gradient is unstable at any learning rate
 * that makes progress on this problem (README, "Thermodynamic natural gradient descent").
 */
import { ngd } from '../training/ngd';
import { adam, Optimizer, sgd } from '../nn/optimizers';
import { tngd } from '../training/tngd';
import { parseDecimal } from '../util/decimal';
import { invalid } from '../util/validate';

export interface OptimizerSpec {
  /** The text it was parsed from (the label in reports and plots). */
  label: string;
  name: 'sgd' | 'adam' | 'ngd' | 'tngd' | 'tngd-adam';
  learningRate: number;
  create(seed: number): Optimizer;
}

const DEFAULT_LEARNING_RATES = { sgd: 0.3, adam: 0.003, ngd: 1, tngd: 1, 'tngd-adam': 0.003 };
const DEFAULT_DAMPING = 1;
const KEYS: Record<OptimizerSpec['name'], string[]> = {
  sgd: ['lr'],
  adam: ['lr'],
  ngd: ['lr', 'lambda'],
  tngd: ['lr', 't', 'td', 'dt', 'lambda', 'kappa'],
  'tngd-adam': ['lr', 't', 'td', 'dt', 'lambda', 'kappa'],
};

/** The default comparison: the baselines, TNGD at four analog times, with a delay, and TNGD-Adam. */
export const DEFAULT_OPTIMIZERS = [
  'sgd',
  'adam',
  'ngd',
  'tngd:t=2',
  'tngd:t=2:td=1',
  'tngd:t=5',
  'tngd:t=20',
  'tngd:t=50',
  'tngd-adam:t=20',
];

export function parseOptimizerSpec(text: string): OptimizerSpec {
  const [name, ...pairs] = text.trim().split(':');
  if (!(name in KEYS)) throw invalid(`unknown optimizer "${name}" in "${text}" (sgd, adam, ngd, tngd, tngd-adam)`);
  const kind = name as OptimizerSpec['name'];
  const values: Record<string, number> = {};
  for (const pair of pairs) {
    const [key, raw] = pair.split('=');
    if (!KEYS[kind].includes(key)) throw invalid(`"${text}": ${kind} takes ${KEYS[kind].join(', ')}, not "${key}"`);
    const value = parseDecimal(raw ?? '', `"${text}": ${key}`);
    if (value < 0) throw invalid(`"${text}": ${key} needs a number >= 0`);
    values[key] = value;
  }
  const damping = values.lambda ?? DEFAULT_DAMPING;
  const device = { time: values.t, delay: values.td, dt: values.dt, damping, noise: values.kappa };
  return {
    label: text.trim(),
    name: kind,
    learningRate: values.lr ?? DEFAULT_LEARNING_RATES[kind],
    create(seed) {
      switch (kind) {
        case 'sgd':
          return sgd();
        case 'adam':
          return adam();
        case 'ngd':
          return ngd({ damping });
        case 'tngd':
          return tngd({ ...device, seed });
        case 'tngd-adam':
          return tngd({ ...device, seed, adam: true });
      }
    },
  };
}
