/**
 * Live chains of a quantized model on a native fixed-point engine: the float GibbsChains' API and run
 * protocol, with integer couplings and biases, one scale and b-bit random draws (docs/quantized.md).
 * Two kernels: 'integer' (any sparse graph) and 'multispin' (one bit per chain, for couplings with
 * few levels); 'auto' takes multispin when the model fits it. Observes states, moments, energy and
 * magnetization.
 */
import { callNative, HeatbathError } from '../errors';
import { native, NativeQuantizedChains } from '../native';
import { invalid } from '../util/validate';
import { ChainOptions, GibbsChains, GibbsTarget, NativeChainHandle } from './gibbs';

/** What the integer engine needs of a model: its float face plus the integers a chip would hold. */
export interface QuantizedTarget extends GibbsTarget {
  /** J per edge as integers: the coupling is integerCouplings[e] × scale. */
  readonly integerCouplings: Int32Array;
  /** h per node as integers. */
  readonly integerBiases: Int32Array;
  readonly scale: number;
  /** Bits of each random draw, 1..32. */
  readonly randomBits: number;
}

export type QuantizedKernel = 'integer' | 'multispin';

export interface QuantizedChainOptions extends ChainOptions {
  /** 'auto' (default): multispin when every node's sum of |J| (in steps) is at most 31, else integer. */
  kernel?: 'auto' | QuantizedKernel;
}

export class QuantizedChains extends GibbsChains {
  constructor(target: QuantizedTarget, options: QuantizedChainOptions = {}) {
    super(target, options);
  }

  /** The kernel these chains run on. */
  get kernel(): QuantizedKernel {
    return this.handle instanceof native().MultispinChains ? 'multispin' : 'integer';
  }

  protected override openHandle(options: QuantizedChainOptions): NativeChainHandle {
    const kernel = options.kernel ?? 'auto';
    if (kernel !== 'auto' && kernel !== 'integer' && kernel !== 'multispin') {
      throw invalid(`kernel must be 'auto', 'integer' or 'multispin', got ${String(kernel)}`);
    }
    const target = this.target as QuantizedTarget;
    const graph = target.graph.handle;
    if (kernel !== 'integer') {
      const Multispin = native().MultispinChains;
      const refusal = callNative(() => Multispin.refusal(graph, target.integerCouplings, target.integerBiases));
      if (refusal === null) return callNative(() => new Multispin(graph, this.chains, this.seed));
      if (kernel === 'multispin')
        throw new HeatbathError('ERR_INVALID_ARGUMENT', `the multispin kernel cannot run this model: ${refusal}`);
    }
    return callNative(() => new (native().QuantizedChains)(graph, this.chains, this.seed));
  }

  /** Re-reads the model's integer couplings, biases, scale and random bits. */
  override updateParameters(): void {
    const handle = this.handle as NativeQuantizedChains;
    const target = this.target as QuantizedTarget;
    callNative(() =>
      handle.setParameters(target.integerCouplings, target.integerBiases, target.scale, target.randomBits),
    );
  }
}
