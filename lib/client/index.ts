/**
 * `heatbath/client`: a typed client of `heatbath serve` (docs/serving.md). It needs no native addon, so it
 * installs and runs wherever Node runs.
 */
export {
  HeatbathClient,
  HeatbathClientOptions,
  HeatbathServerError,
  SampleBatch,
  Samples,
  SampleStats,
  SampleValues,
} from './client';
export { OBSERVABLES, SampleDtype, SampleRequest, ServedObservable } from './types';
export { HeatbathError, ErrorCode } from '../errors';
