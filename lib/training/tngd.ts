/**
 * Thermodynamic natural gradient descent (Donatella et al., arXiv 2405.13817): each iteration the
 * analog device (engines/tngd-device.ts) relaxes towards F⁻¹∇ℓ for an analog time t, starting from its
 * previous state (warm start), and the parameters move along its readout: θ ← θ − η g̃. The time
 * interpolates between the gradient (t = 0, from g̃₀ = ∇ℓ) and the natural gradient (t ≫ 1/λ_min(F)).
 *
 * Delay t_d: the new gradient and curvature reach the device t_d after the previous readout; for that
 * part of the iteration's time t the device still relaxes under the previous ones.
 * TNGD-Adam: the readout g̃ goes through Adam instead of straight into the parameters.
 */
import { Linearization } from '../nn/classifier';
import { checkFinite, checkInteger, invalid } from '../util/validate';
import { curvatureStep, lossGradient } from './curvature-step';
import { adam, AdamOptions, Optimizer } from '../nn/optimizers';
import { NaturalGradientDevice } from '../engines/tngd-device';

export interface TngdOptions {
  /** Analog time t per iteration, in units of the device's time constant τ (default 50). */
  time?: number;
  /** Largest Euler–Maruyama step δt in τ (default 0.1; smaller where the curvature needs it). */
  dt?: number;
  /** Delay t_d in τ, 0 <= t_d <= t (default 0). */
  delay?: number;
  /** λ added to the curvature (default 0.01). */
  damping?: number;
  /** κ₀, the device's noise (default 0: noiseless). */
  noise?: number;
  /** Start each iteration from the previous readout (default true) or from ∇ℓ. */
  warmStart?: boolean;
  /** TNGD-Adam: feed the readout to Adam with these settings. */
  adam?: AdamOptions | true;
  /** Seed of the device noise (default 1). */
  seed?: number;
}

function nonNegative(name: string, value: number): number {
  checkFinite(name, value);
  if (value < 0) throw invalid(`${name} must be >= 0, got ${value}`);
  return value;
}

export function tngd(options: TngdOptions = {}): Optimizer {
  const time = nonNegative('time', options.time ?? 50);
  const dt = checkFinite('dt', options.dt ?? 0.1);
  if (!(dt > 0)) throw invalid(`dt must be > 0, got ${dt}`);
  const delay = nonNegative('delay', options.delay ?? 0);
  if (delay > time) throw invalid(`delay (${delay}) must not exceed the analog time (${time})`);
  const damping = nonNegative('damping', options.damping ?? 0.01);
  const noise = nonNegative('noise', options.noise ?? 0);
  const warmStart = options.warmStart ?? true;
  const seed = checkInteger('seed', options.seed ?? 1, 0);
  const device = new NaturalGradientDevice({ dt, damping, noise, seed });
  const inner = options.adam === undefined ? undefined : adam(options.adam === true ? {} : options.adam);
  const name = inner ? 'tngd-adam' : 'tngd';
  let pending: Linearization | undefined;
  let previous: Linearization | undefined;
  let readout: Float32Array | undefined;

  return {
    name,
    setCurvature(lin) {
      pending = lin;
    },
    step(groups, lr) {
      checkFinite('lr', lr);
      const { param, lin } = curvatureStep(name, groups, pending);
      pending = undefined;
      if (readout !== undefined && readout.length !== param.length) {
        throw invalid(
          `${name}: the device's readout has ${readout.length} entries but the model has ${param.length} parameters`,
        );
      }
      if (!warmStart || readout === undefined) readout = lossGradient(lin);
      if (previous !== undefined && delay > 0) {
        device.relax(previous, readout, delay);
        device.relax(lin, readout, time - delay);
      } else {
        device.relax(lin, readout, time);
      }
      previous = lin;
      if (inner) {
        inner.step([{ name: groups[0].name, param, grad: readout }], lr);
      } else {
        for (let i = 0; i < param.length; i++) param[i] -= lr * readout[i];
      }
    },
    state() {
      return { ...(inner?.state() ?? {}), ...(readout ? { 'device.readout': readout.slice() } : {}) };
    },
    /** Restores the readout (and TNGD-Adam's moments); the device noise and a delay's previous model start afresh. */
    loadState(state) {
      const { 'device.readout': saved, ...rest } = state ?? {};
      if (saved !== undefined && (!(saved instanceof Float32Array) || !saved.every(Number.isFinite))) {
        throw invalid(`${name} state "device.readout" must be a Float32Array of finite numbers`);
      }
      if (inner) inner.loadState(rest);
      else if (Object.keys(rest).length > 0)
        throw invalid(`${name} state has unknown entries: ${Object.keys(rest).join(', ')}`);
      readout = saved?.slice();
    },
  };
}
