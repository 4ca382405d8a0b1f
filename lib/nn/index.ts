/** Small differentiable classifiers with Jacobian products, for the optimizer studies. */
export * from './classifier';
export { SoftmaxRegression } from './softmax-regression';
export { MlpClassifier, MlpClassifierShape } from './mlp-classifier';
