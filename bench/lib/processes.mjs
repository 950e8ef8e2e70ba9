// Child processes of the benchmark: the counting collector, and one worker per measurement
// that must not share a heap or a JIT with the others. Every child is forked with an IPC
// channel, ended by its own pid when done or timed out, and exits when this process does.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const workersDir = fileURLToPath(new URL('../workers/', import.meta.url));

/** The worker script `name` (a file in bench/workers). */
export function workerPath(name) {
  return `${workersDir}${name}`;
}

function onceMessage(child, predicate, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message) => {
      if (predicate(message)) {
        cleanup();
        resolve(message);
      }
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`${what}: the process exited (${signal ?? code}) before answering`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Starts the counting collector (bench/workers/sinkCollector.mjs) on 127.0.0.1.
 * Resolves `{ port, pid, waitFor, count, reset, stop }`.
 */
export async function startSinkCollector() {
  const child = fork(workerPath('sinkCollector.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await onceMessage(child, (m) => m.type === 'listening', 10_000, 'collector');
  let nextId = 0;
  return {
    port,
    pid: child.pid,
    /** Resolves with the collector's counts once it has received `count` events. */
    waitFor(count, timeoutMs = 120_000) {
      const id = nextId++;
      const reached = onceMessage(
        child,
        (m) => m.type === 'reached' && m.id === id,
        timeoutMs,
        'collector',
      );
      child.send({ type: 'waitFor', count, id });
      return reached;
    },
    /** Resolves with what the collector has received so far. */
    count() {
      const id = nextId++;
      const answered = onceMessage(
        child,
        (m) => m.type === 'count' && m.id === id,
        10_000,
        'collector',
      );
      child.send({ type: 'count', id });
      return answered;
    },
    async reset() {
      const done = onceMessage(child, (m) => m.type === 'reset', 10_000, 'collector');
      child.send({ type: 'reset' });
      await done;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs one worker script in a fresh Node process and resolves with the `result` it sends
 * (`process.send({ type: 'result', ... })`). Rejects with the worker's error message, or when
 * it neither answers nor exits within `timeoutMs` (it is then killed by its pid).
 */
export async function runWorker(
  name,
  input,
  { timeoutMs = 300_000, execArgv = [], collector } = {},
) {
  const child = fork(workerPath(name), [JSON.stringify(input)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  // A worker that must know when the collector has everything asks here (`waitForCollector`
  // in the worker): the collector is this process's child, and the worker waits idle.
  child.on('message', (message) => {
    if (message.type === 'waitForCollector' && collector !== undefined) {
      collector.waitFor(message.count, message.timeoutMs).then(
        (reached) => child.connected && child.send({ ...reached, type: 'collectorReached' }),
        (error) =>
          child.connected && child.send({ type: 'collectorFailed', message: error.message }),
      );
    } else if (message.type === 'collectorCount' && collector !== undefined) {
      collector
        .count()
        .then((counts) => child.connected && child.send({ ...counts, type: 'collectorCounted' }));
    }
  });
  const answer = onceMessage(
    child,
    (m) => m.type === 'result' || m.type === 'error',
    timeoutMs,
    `worker ${name}`,
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const message = await answer;
    if (message.type === 'error') {
      throw new Error(`worker ${name}: ${message.message}`);
    }
    return message.result;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.disconnect?.();
      const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/**
 * The worker side of {@link runWorker}: runs `measure(input)` and sends its result (or its
 * error) to the parent, then lets the process end.
 */
export async function workerMain(measure) {
  try {
    const input = JSON.parse(process.argv[2] ?? '{}');
    const result = await measure(input);
    process.send({ type: 'result', result });
  } catch (error) {
    process.send({ type: 'error', message: error?.stack ?? String(error) });
  }
  process.disconnect();
}

/**
 * In a worker: resolves with the collector's counts once it has received `count` events
 * (asked through the parent, see {@link runWorker}).
 */
export function waitForCollector(count, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type === 'collectorReached') {
        process.off('message', onMessage);
        resolve(message);
      } else if (message.type === 'collectorFailed') {
        process.off('message', onMessage);
        reject(new Error(message.message));
      }
    };
    process.on('message', onMessage);
    process.send({ type: 'waitForCollector', count, timeoutMs });
  });
}

/** In a worker: resolves with what the collector has received so far (through the parent). */
export function collectorCount() {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message.type === 'collectorCounted') {
        process.off('message', onMessage);
        resolve(message);
      }
    };
    process.on('message', onMessage);
    process.send({ type: 'collectorCount' });
  });
}
