// A child process for test/lifetime.test.ts and test/memory.external.test.ts, using the compiled library.
//   node lifetime-child.js terminate <job>  starts <job> in a worker_thread, terminates it 200 ms into the
//                                           native call, prints {"terminateMs": …} and exits 0
//   node lifetime-child.js exit <how>       starts a long async run, prints "exiting" 200 ms into it, then
//                                           leaves by <how>: 'exit' (process.exit), 'throw' (uncaught
//                                           exception) or 'sigterm' (a SIGTERM handler that exits)
//   node lifetime-child.js memory <loop>    runs an allocation loop, prints {"growthMB": …} (peak RSS - start)
//   node lifetime-child.js symbol-dispose   disposes each kind of chains through Symbol.dispose, prints the
//                                           error codes of a call after it
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const hb = require('../../dist/lib');

// Sweeps or steps: minutes to hours of work, with short per-sweep arrays (β per sweep) so that the
// native call starts right after 'started' is posted.
const LONG = 1e5;

// Each job posts 'started' just before its native call: the message leaves at once, the call then runs.
const jobs = {
  'gibbs-sync': () => {
    const chains = hb.IsingModel.random(hb.graphs.king(64, 64), { beta: 0.4, seed: 1 }).chains({ chains: 256 });
    parentPort.postMessage('started');
    chains.runSync({ warmup: LONG, samples: 1, observe: [] });
  },
  'gibbs-async': () => {
    const model = hb.IsingModel.random(hb.graphs.king(64, 64), { beta: 0.4, seed: 1 });
    model.sample({ chains: 256, warmup: LONG, samples: 1, observe: [] });
    parentPort.postMessage('started');
  },
  'langevin-sync': () => {
    const chains = langevin();
    parentPort.postMessage('started');
    chains.runSync({ steps: 100 * LONG, dt: 0.01 });
  },
  'langevin-async': () => {
    langevin().run({ steps: 100 * LONG, dt: 0.01 });
    parentPort.postMessage('started');
  },
  'rbm-sync': () => {
    const chains = rbmChains();
    parentPort.postMessage('started');
    chains.runSync({ sweeps: LONG });
  },
  'rbm-async': () => {
    rbmChains().run({ sweeps: LONG });
    parentPort.postMessage('started');
  },
  gemm: () => {
    const n = 4096; // 2·4096³ flops: seconds to minutes
    const a = new Float32Array(n * n).fill(1);
    parentPort.postMessage('started');
    hb.gemm(false, false, n, n, n, 1, a, a, 0, new Float32Array(n * n));
  },
};

function langevin() {
  const n = 256;
  const net = new hb.LangevinNetwork({
    units: n,
    couplings: { kind: 'dense', matrix: new Float32Array(n * n).fill(0.001) },
  });
  return new hb.LangevinChains(net, { chains: 64, seed: 1 });
}

function rbmChains() {
  const rbm = hb.RBM.create({ visible: 784, hidden: 500, seed: 1 });
  const chains = new hb.RbmChains(784, 500, 64, 1);
  chains.setParameters(rbm.weights, rbm.visibleBias, rbm.hiddenBias);
  return chains;
}

function terminate(job) {
  const worker = new Worker(__filename, { workerData: job });
  worker.on('error', (err) => console.error('worker error:', err.message));
  worker.once('message', () => {
    setTimeout(async () => {
      const start = process.hrtime.bigint();
      await worker.terminate();
      console.log(JSON.stringify({ terminateMs: Number(process.hrtime.bigint() - start) / 1e6 }));
    }, 200);
  });
}

function leave(how) {
  const model = hb.IsingModel.random(hb.graphs.king(64, 64), { beta: 0.4, seed: 1 });
  model.sample({ chains: 256, warmup: LONG, samples: 1, observe: [] }).then(() => console.log('finished'));
  setTimeout(() => {
    console.log('exiting');
    if (how === 'exit') process.exit(3);
    if (how === 'throw') throw new Error('uncaught on purpose');
    if (how === 'sigterm') {
      process.on('SIGTERM', () => process.exit(4));
      process.kill(process.pid, 'SIGTERM');
    }
  }, 200);
}

const loops = {
  // One-shot sampling in a synchronous loop: the library frees its own chains.
  'rbm-sample-sync': () => {
    const rbm = hb.RBM.create({ visible: 784, hidden: 500, seed: 1 });
    for (let i = 0; i < 100; i++) {
      rbm.sampleSync({ chains: 16, sweeps: 1 });
      sample();
    }
  },
  // Chains the caller frees with dispose(), in a synchronous loop.
  'gibbs-dispose': () => {
    const model = hb.IsingModel.random(hb.graphs.lattice2d(64, 64), { beta: 0.4, seed: 1 });
    for (let i = 0; i < 30; i++) {
      const chains = model.chains({ chains: 256 });
      chains.runSync({ warmup: 1, samples: 1, observe: [] });
      chains.dispose();
      sample();
    }
  },
  // Chains left to the garbage collector while the event loop turns: V8 must know what they hold.
  'rbm-chains-gc': async () => {
    const rbm = hb.RBM.create({ visible: 784, hidden: 500, seed: 1 });
    for (let i = 0; i < 100; i++) {
      new hb.RbmChains(784, 500, 16, i).setParameters(rbm.weights, rbm.visibleBias, rbm.hiddenBias);
      await new Promise((resolve) => setImmediate(resolve));
      sample();
    }
  },
};

// What `using x = …` does at the end of its block, for each kind of chains: the code of the error after.
function symbolDispose() {
  const codeAfter = (chains, call) => {
    chains[Symbol.dispose]();
    try {
      call();
      return 'no error';
    } catch (err) {
      return err.code;
    }
  };
  const model = hb.IsingModel.random(hb.graphs.king(8, 8), { beta: 0.4, seed: 1 });
  const gibbs = model.chains({ chains: 8 });
  const rbm = new hb.RbmChains(6, 4, 8, 1);
  const langevin = new hb.LangevinChains(new hb.LangevinNetwork({ units: 3 }), { chains: 8 });
  console.log(
    JSON.stringify({
      gibbs: codeAfter(gibbs, () => gibbs.spins()),
      rbm: codeAfter(rbm, () => rbm.readVisible()),
      langevin: codeAfter(langevin, () => langevin.readState()),
    }),
  );
}

const startRss = process.memoryUsage().rss;
let peakRss = startRss;
function sample() {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

async function memory(loop) {
  await loops[loop]();
  console.log(JSON.stringify({ growthMB: (peakRss - startRss) / 2 ** 20 }));
}

if (!isMainThread) jobs[workerData]();
else if (process.argv[2] === 'terminate') terminate(process.argv[3]);
else if (process.argv[2] === 'exit') leave(process.argv[3]);
else if (process.argv[2] === 'memory') memory(process.argv[3]);
else if (process.argv[2] === 'symbol-dispose') symbolDispose();
else throw new Error(`unknown mode ${process.argv[2]}`);
