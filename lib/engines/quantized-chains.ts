/**
 * Live chains of a quantized model on the native integer engine: the float GibbsChains' API and run
 * protocol, with integer couplings and biases, one scale and b-bit random draws (docs/quantized.md).
 * Observes states, moments, energy and magnetization.
 */
import { callNative } from '../errors';
import { native, NativeQuantizedChains } from '../native';
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

export class QuantizedChains extends GibbsChains {
  constructor(target: QuantizedTarget, options: ChainOptions = {}) {
    super(target, options);
  }

  protected override openHandle(): NativeChainHandle {
    return callNative(() => new (native().QuantizedChains)(this.target.graph.handle, this.chains, this.seed));
  }

  /** Re-reads the model's integer couplings, biases, scale and random bits. */
  override updateParameters(): void {
    const handle = this.handle as NativeQuantizedChains;
    const target = this.target as QuantizedTarget;
    callNative(() => handle.setParameters(target.integerCouplings, target.integerBiases, target.scale, target.randomBits));
  }
}
