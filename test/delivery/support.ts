/**
 * What the delivery tests share: a scheduler whose time moves only when told, storage in a
 * real temporary folder, the local collector (scripts/collector), and a tracker wired to a
 * real ClientSession.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { after, afterEach, before, beforeEach } from 'node:test';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as CollectorModule from '../../scripts/collector/server.cjs';
import type * as ValidateModule from '../../scripts/collector/validate.cjs';
import { ClientSession } from '../../src/core/clientSession';
import { InMemorySessionStore } from '../../src/core/sessionStore';
import { nodeFileQueueStorage } from '../../src/delivery/nodeFileQueueStorage';
import type { QueueStorage } from '../../src/delivery/queueStorage';
import type { Scheduler, TimerHandle } from '../../src/delivery/scheduler';
import type { SnowplowTrackerOptions } from '../../src/delivery/tracker';
import { SnowplowTracker } from '../../src/delivery/tracker';
import type { HttpTransport } from '../../src/delivery/transport';
import { fetchTransport, nodeHttpTransport } from '../../src/delivery/transport';
import { RecordingLogger } from '../support/fakes';

export { RecordingLogger };

/** The repository root, found upwards (tests run from out/test/delivery). */
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'scripts', 'collector', 'server.cjs'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no scripts/collector above ${__dirname}`);
    }
  }
}

const load = createRequire(__filename);
const root = repositoryRoot();
export const { startCollector } = load(
  path.join(root, 'scripts', 'collector', 'server.cjs'),
) as typeof CollectorModule;
export const { validateSelfDescribing, validatePayloadBody } = load(
  path.join(root, 'scripts', 'collector', 'validate.cjs'),
) as typeof ValidateModule;
export type Collector = CollectorModule.Collector;

/**
 * Fails unless every request the collector got so far validated against the schemas,
 * including those it was told to refuse or leave hanging.
 */
export function assertEveryPayloadValid(collector: Collector): void {
  for (const request of collector.requests) {
    if (request.problems !== undefined && request.problems.length > 0) {
      throw new Error(`a payload broke the schemas: ${request.problems.join('; ')}`);
    }
  }
}
/**
 * Registers what every delivery suite needs around one real collector: started before the
 * suite (and handed to `onStarted`), healthy and emptied before each test, every payload it
 * received checked against the schemas after each test, closed after the suite.
 */
export function useCollector(onStarted: (collector: Collector) => void): void {
  let collector: Collector | undefined;
  before(async () => {
    collector = await startCollector();
    onStarted(collector);
  });
  after(async () => {
    await collector?.close();
  });
  beforeEach(() => {
    collector?.recover();
    collector?.received.splice(0);
    collector?.requests.splice(0);
  });
  afterEach(() => {
    if (collector !== undefined) {
      assertEveryPayloadValid(collector);
    }
  });
}

export const PACKAGE_JSON_PATH = path.join(root, 'package.json');

/** A wall clock and timers that move only on {@link advance}; starts at 2026-01-01T00:00:00Z. */
export class FakeScheduler implements Scheduler {
  nowMs = Date.UTC(2026, 0, 1);
  #timers: Array<{ due: number; callback: () => void; handle: object }> = [];

  now = (): number => this.nowMs;

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const handle = {};
    this.#timers.push({ due: this.nowMs + delayMs, callback, handle });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.handle !== handle);
  }

  /** Delays (from now, in ms) of the timers waiting, soonest first. */
  get pendingDelays(): number[] {
    return this.#timers.map((t) => t.due - this.nowMs).sort((a, b) => a - b);
  }

  /** Moves time by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      const next = this.#timers
        .filter((timer) => timer.due <= target)
        .sort((a, b) => a.due - b.due)[0];
      if (next === undefined) {
        break;
      }
      this.#timers = this.#timers.filter((timer) => timer !== next);
      this.nowMs = Math.max(this.nowMs, next.due);
      next.callback();
    }
    this.nowMs = target;
  }
}

/** Lets pending promise callbacks and I/O callbacks run (not a sleep: no time passes). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The production Node storage ({@link nodeFileQueueStorage}) over a temporary folder, plus
 * what tests need to look into it.
 */
export class FolderQueueStorage implements QueueStorage {
  readonly #storage: QueueStorage;

  constructor(readonly folder: string) {
    this.#storage = nodeFileQueueStorage(folder)!;
  }

  static async temporary(): Promise<FolderQueueStorage> {
    return new FolderQueueStorage(await mkdtemp(path.join(tmpdir(), 'snowplow-queue-')));
  }

  list(): Promise<string[]> {
    return this.#storage.list();
  }
  read(name: string): Promise<string | undefined> {
    return this.#storage.read(name);
  }
  write(name: string, contents: string): Promise<void> {
    return this.#storage.write(name, contents);
  }
  delete(name: string): Promise<void> {
    return this.#storage.delete(name);
  }
  rename(from: string, to: string): Promise<boolean> {
    return this.#storage.rename(from, to);
  }
  /** Names of the queue's event files. */
  async eventFiles(): Promise<string[]> {
    return (await this.list()).filter((name) => name.startsWith('events-'));
  }
  async remove(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}

/** Both ways of POSTing; suites that are about the wire run once with each. */
export const TRANSPORTS: ReadonlyArray<{ name: string; make: () => HttpTransport }> = [
  { name: 'node:http', make: () => nodeHttpTransport()! },
  { name: 'fetch', make: () => fetchTransport() },
];

let makeTransport: () => HttpTransport = TRANSPORTS[0]!.make;

/** Makes {@link makeTracker} use `make` for its transport from now on. */
export function useTransport(make: () => HttpTransport): void {
  makeTransport = make;
}

export const APP_ID = 'vscode-client-session.vscode-client-session';

/** A tracker with a real ClientSession, fake time, full consent unless told otherwise. */
export function makeTracker(
  collectorUrl: string,
  overrides: Partial<SnowplowTrackerOptions> & { scheduler?: FakeScheduler } = {},
): {
  tracker: SnowplowTracker;
  session: ClientSession;
  scheduler: FakeScheduler;
  logger: RecordingLogger;
} {
  const scheduler = overrides.scheduler ?? new FakeScheduler();
  const logger = new RecordingLogger();
  const session =
    (overrides.session as ClientSession | undefined) ??
    new ClientSession({ store: new InMemorySessionStore(), clock: scheduler.now });
  const tracker = new SnowplowTracker({
    collectorUrl,
    appId: APP_ID,
    session,
    consent: { usage: true, errors: true },
    scheduler,
    logger,
    random: () => 0.5,
    transport: makeTransport(),
    ...overrides,
  });
  return { tracker, session, scheduler, logger };
}
