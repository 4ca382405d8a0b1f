// Samples in a worker thread with the compiled library; posts the states back.
const { parentPort, workerData } = require('worker_threads');
const { graphs, IsingModel } = require('../../dist/lib');

const graph = graphs.king(64, 64);
const model = IsingModel.random(graph, { beta: 0.4, seed: 2, couplingScale: 0.3 });
model.sample(workerData).then((run) => parentPort.postMessage(run.states));
