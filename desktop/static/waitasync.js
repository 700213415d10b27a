// Injected by PyScript Desktop into every page that runs Python, before any module script.
// PyScript cores 0.5.x-0.6.39 (2024.5.1-2025.2.x) call a worker's exported functions
// (`await worker.sync.f()`) through coincident, which posts the call, then reads
// `Atomics.waitAsync(view, 0).value` as a promise. When the worker has already answered by the
// time the wait starts, the engine returns {async: false, value: "not-equal"} instead, and the
// call fails with "TypeError: ....value.then is not a function" (seen on a loaded machine).
// The wait here always answers a promise, as the standard allows (async: true).
(() => {
  const native = globalThis.Atomics && Atomics.waitAsync;
  if (!native || native.desktopAlwaysAsync) return;
  const waitAsync = function waitAsync(...args) {
    const result = native.apply(Atomics, args);
    return result.async ? result : { async: true, value: Promise.resolve(result.value) };
  };
  waitAsync.desktopAlwaysAsync = true;
  Atomics.waitAsync = waitAsync;
})();
