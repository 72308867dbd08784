// Entry of an isolated worker thread: TypeScript through tsx, then one exported function's result
// (or its error's code and message) posted back to the parent.
const { parentPort, workerData } = require('node:worker_threads');
require('tsx/cjs/api').register();

(async () => {
  try {
    const mod = require(workerData.module);
    const args = workerData.progress ? [...workerData.args, (m) => parentPort.postMessage({ progress: m })] : workerData.args;
    const result = await mod[workerData.fn](...args);
    parentPort.postMessage({ ok: true, result });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: { code: err && err.code, message: String((err && err.message) || err), stack: err && err.stack } });
  }
})();
