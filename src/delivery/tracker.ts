/**
 * Snowplow delivery, independent of any host: events tracked with the user's consent are
 * counted in the client session at once, then encoded, queued durably, batched and POSTed to
 * a collector, with retries, off the caller's call.
 */
import { v4 as uuidv4 } from 'uuid';
import type { ClientSessionEntity, SelfDescribingJson } from '../core/entity';
import type { Event } from '../core/event';
import { describeError, Emitter } from '../core/event';
import type { Logger } from '../core/logger';
import { guardLogger, silentLogger } from '../core/logger';
import { checkCollectorUrl } from './collectorUrl';
import type {
  ConsentKind,
  EventMapper,
  PendingEvent,
  StructuredEvent,
  TelemetryConsent,
  TrackedEvent,
} from './events';
import type { Platform } from './payload';
import { PayloadEncoder } from './payload';
import { DurableQueue, type QueuedEvent } from './queue';
import type { QueueStorage } from './queueStorage';
import { InMemoryQueueStorage } from './queueStorage';
import type { HttpTransport } from './transport';
import { fetchTransport, nodeHttpTransport } from './transport';
import { backoffDelayMs, outcomeOfStatus, parseRetryAfterMs } from './retry';
import type { Scheduler, TimerHandle } from './scheduler';
import { realScheduler } from './scheduler';

/** What the tracker needs of a session: `ClientSession` has it. */
export interface SessionCounter {
  update(eventId: string, eventTimestampMs: number): ClientSessionEntity;
}

/** Options of {@link SnowplowTracker}. `collectorUrl`, `appId` and `session` are required. */
export interface SnowplowTrackerOptions {
  /**
   * The collector's base URL, e.g. `https://collector.example.com`; events go to
   * `{collectorUrl}/com.snowplowanalytics.snowplow/tp2`. Must be https, except loopback
   * (`http://127.0.0.1:9090`) for development. Empty means no collector: nothing is tracked,
   * queued or sent, and that is not an error. Any other URL that is not valid is a
   * configuration error:
   * it is logged, shown by {@link SnowplowTracker.configurationError}, and nothing is
   * queued or sent until {@link SnowplowTracker.setCollectorUrl} gets a good one.
   */
  readonly collectorUrl: string;
  /** Sent as `aid` on every event: in VS Code, the extension's id (`publisher.name`). */
  readonly appId: string;
  /** The client session every event is counted in; its entity goes on every event. */
  readonly session: SessionCounter;
  /**
   * What the user allows. Nothing is tracked, queued or sent without it; the VS Code binding
   * keeps it in step with the user's telemetry level. Give the user's real choice here, not a
   * placeholder to correct later: a tracker started with no consent at all empties the queue
   * folder (that is how events queued before the user turned telemetry off are discarded),
   * including what other windows or an earlier session left to be delivered.
   * @default { usage: false, errors: false }
   */
  readonly consent?: TelemetryConsent;
  /**
   * Where queued events are kept until delivered. Give durable storage (the VS Code binding
   * uses files under `globalStorageUri`) for events to survive restarts and crashes.
   * @default an {@link InMemoryQueueStorage} (lost with the process)
   */
  readonly storage?: QueueStorage;
  /** Sent as `tna`. @default 'vscode-client-session' */
  readonly trackerNamespace?: string;
  /** Sent as `p`. @default 'pc' (desktop) */
  readonly platform?: Platform;
  /**
   * Event name to Iglu schema URI, for events logged by name: `logUsage('fileOpened', data)`
   * with `{ fileOpened: 'iglu:com.acme/file_opened/jsonschema/1-0-0' }` sends a
   * self-describing event of that schema with `data` as its data.
   * @default {} (every name maps to our `telemetry_event`)
   */
  readonly eventSchemas?: Readonly<Record<string, string>>;
  /** A mapping function tried before {@link eventSchemas}. @default undefined */
  readonly mapEvent?: EventMapper;
  /**
   * Context entities added to every event after `client_session`, e.g. the `application`
   * and `desktop_context` entities the VS Code binding can add. They are encoded with every
   * event, so they must not change. @default []
   */
  readonly entities?: readonly SelfDescribingJson[];
  /** The collector's request size limit, in bytes of POST body. @default 40000 */
  readonly maxPostBytes?: number;
  /**
   * Most events kept queued; beyond it the oldest are dropped (and counted in the log).
   * @default 10000
   */
  readonly maxQueuedEvents?: number;
  /**
   * Most bytes (UTF-8) of encoded events kept queued; beyond it the oldest are dropped.
   * @default 5000000
   */
  readonly maxQueuedBytes?: number;
  /**
   * How long events wait in the queue before a POST, in ms, so that events tracked close
   * together share a request. Once the queued events fill a request (`maxPostBytes`) they are
   * sent without waiting; `flush()` sends at once. @default 1000
   */
  readonly sendDelayMs?: number;
  /**
   * How long freshly tracked events collect in memory before they are written to `storage`
   * together, in ms: one file write per window instead of one per event. `flush()`, `dispose()`
   * and a window reload write at once; **a crash of the process loses at most the events
   * tracked in the last `writeDelayMs`**. 0 writes after every microtask batch. @default 200
   */
  readonly writeDelayMs?: number;
  /** Time allowed for one POST, in ms; then it is aborted and retried. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Wait before the first retry, in ms; doubled each failure (with jitter). @default 1000 */
  readonly minRetryDelayMs?: number;
  /** Longest wait between retries, in ms. @default 300000 (5 minutes) */
  readonly maxRetryDelayMs?: number;
  /** Longest `Retry-After` honoured, in ms; a longer one is cut to this. @default 3600000 */
  readonly maxRetryAfterMs?: number;
  /**
   * How often this tracker tells other windows it is alive (and looks for queues of windows
   * that are not), in ms. @default 30000
   */
  readonly heartbeatIntervalMs?: number;
  /** Silence after which another window's queue is taken over, in ms. @default 120000 */
  readonly orphanAfterMs?: number;
  /** Where diagnostics go. @default a logger that drops everything */
  readonly logger?: Logger;
  /**
   * How batches are POSTed.
   * @default Node's http/https where Node is available ({@link nodeHttpTransport}: less CPU,
   *   fewer headers), else `fetch` ({@link fetchTransport})
   */
  readonly transport?: HttpTransport;
  /** Timers and wall clock. @default the real ones */
  readonly scheduler?: Scheduler;
  /** Random numbers in [0, 1) for backoff jitter. @default Math.random */
  readonly random?: () => number;
  /**
   * Makes event ids (lowercase UUID v4).
   * @default crypto.randomUUID, or uuid's v4 where it is missing (a page that is not a
   *   secure context)
   */
  readonly generateEventId?: () => string;
}

/** What one POST did, as told by {@link SnowplowTracker.onDidAttemptDelivery}. */
export interface DeliveryAttempt {
  readonly outcome: 'delivered' | 'dropped' | 'retry';
  /** The HTTP status, when the collector answered. */
  readonly status?: number;
  /** Why it failed: the network error, the timeout, or the collector's answer (shortened). */
  readonly reason?: string;
  readonly events: number;
  readonly bytes: number;
  /** When the outcome is `retry`: the wait before the next try, in ms. */
  readonly retryInMs?: number;
}

/** An event the hot path counted: its id, the session entity it carries, and what it was. */
export interface TrackedEventInfo {
  readonly eventId: string;
  readonly timestampMs: number;
  readonly session: ClientSessionEntity;
  readonly event: TrackedEvent;
}

/** Options of {@link SnowplowTracker.flush} and {@link SnowplowTracker.dispose}. */
export interface FlushOptions {
  /**
   * Longest time to spend, in ms; whatever is not delivered by then stays queued.
   * @default 2000
   */
  readonly timeoutMs?: number;
}

const MAX_REASON_CHARS = 300;

/**
 * Tracks Snowplow events and delivers them, only with the user's consent.
 *
 * Tracking is synchronous and cheap: it checks consent, makes an event id and timestamp,
 * counts the event in the client session and keeps a small record in memory. Encoding
 * (see payload.ts), queueing to storage, batching and POSTing happen afterwards, from a
 * microtask and timers, and never throw into the caller.
 *
 * Delivery is at least once: an event may arrive twice (a window crashed after the
 * collector took it but before its file was updated); its `eid` stays the same, so a
 * pipeline can remove duplicates.
 */
export class SnowplowTracker {
  readonly #session: SessionCounter;
  readonly #logger: Logger;
  readonly #scheduler: Scheduler;
  readonly #transport: HttpTransport;
  readonly #random: () => number;
  readonly #generateEventId: () => string;
  readonly #encoder: PayloadEncoder;
  readonly #queue: DurableQueue;
  readonly #maxPostBytes: number;
  readonly #sendDelayMs: number;
  readonly #requestTimeoutMs: number;
  readonly #minRetryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #maxRetryAfterMs: number;

  #consent: TelemetryConsent;
  #endpoint: string | undefined;
  #configurationError: string | undefined;

  #pending: PendingEvent[] = [];
  #pumpQueued = false;
  #sendTimer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #retryAttempt = 0;
  #inFlight: Promise<void> | undefined;
  #abortInFlight: (() => void) | undefined;
  #foregroundIndex = 0;
  #backgroundIndex = 0;
  #disposed = false;
  #warnedUseAfterDispose = false;

  readonly #onDidAttemptDelivery: Emitter<DeliveryAttempt>;
  readonly #onDidTrack: Emitter<TrackedEventInfo>;
  readonly #idleWaiters: Array<() => void> = [];

  /** Fires after every POST with what came of it. */
  readonly onDidAttemptDelivery: Event<DeliveryAttempt>;
  /**
   * Fires synchronously inside a track call, after the session counted the event (only if
   * it was allowed). Costs nothing while nobody listens.
   */
  readonly onDidTrack: Event<TrackedEventInfo>;

  /** @throws TypeError when a required option is missing or an option is out of range. */
  constructor(options: SnowplowTrackerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('SnowplowTracker expects an options object');
    }
    if (typeof options.appId !== 'string' || options.appId === '') {
      throw new TypeError(`SnowplowTracker needs an appId string, got ${String(options.appId)}`);
    }
    if (typeof options.session?.update !== 'function') {
      throw new TypeError('SnowplowTracker needs a session with an update(eventId, ms) method');
    }
    this.#session = options.session;
    this.#logger = options.logger === undefined ? silentLogger : guardLogger(options.logger);
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#transport = options.transport ?? nodeHttpTransport() ?? fetchTransport();
    this.#random = options.random ?? Math.random;
    this.#generateEventId = options.generateEventId ?? defaultEventId;
    this.#maxPostBytes = positive('maxPostBytes', options.maxPostBytes, 40_000);
    this.#sendDelayMs = nonNegative('sendDelayMs', options.sendDelayMs, 1000);
    this.#requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs, 5000);
    this.#minRetryDelayMs = positive('minRetryDelayMs', options.minRetryDelayMs, 1000);
    this.#maxRetryDelayMs = positive('maxRetryDelayMs', options.maxRetryDelayMs, 300_000);
    this.#maxRetryAfterMs = positive('maxRetryAfterMs', options.maxRetryAfterMs, 3_600_000);
    this.#consent = checkConsent(options.consent ?? { usage: false, errors: false });
    this.#encoder = new PayloadEncoder({
      appId: options.appId,
      trackerNamespace: options.trackerNamespace ?? 'vscode-client-session',
      platform: options.platform ?? 'pc',
      eventSchemas: options.eventSchemas ?? {},
      mapEvent: options.mapEvent,
      extraEntities: options.entities ?? [],
    });
    this.#queue = new DurableQueue({
      storage: options.storage ?? new InMemoryQueueStorage(),
      logger: this.#logger,
      scheduler: this.#scheduler,
      maxEvents: positive('maxQueuedEvents', options.maxQueuedEvents, 10_000),
      maxBytes: positive('maxQueuedBytes', options.maxQueuedBytes, 5_000_000),
      heartbeatIntervalMs: positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 30_000),
      orphanAfterMs: positive('orphanAfterMs', options.orphanAfterMs, 120_000),
      writeDelayMs: nonNegative('writeDelayMs', options.writeDelayMs, 200),
      generateId: this.#generateEventId,
      onEventsAvailable: () => this.#scheduleNextSend(),
    });
    this.#onDidAttemptDelivery = new Emitter(this.#logger);
    this.#onDidTrack = new Emitter(this.#logger);
    this.onDidAttemptDelivery = this.#onDidAttemptDelivery.event;
    this.onDidTrack = this.#onDidTrack.event;
    this.#applyCollectorUrl(options.collectorUrl);
    this.#queue.setConsent(this.#consent);
  }

  // --- tracking (the hot path) -----------------------------------------------------------

  /**
   * Tracks an event logged by name, as `TelemetryLogger.logUsage` passes it on; it becomes
   * a self-describing event by the mapping rules (`mapEvent`, `eventSchemas`, then our
   * `telemetry_event`). Needs usage consent.
   * @returns the session entity the event carries, or `undefined` when it was not tracked.
   */
  trackNamedEvent(name: string, data?: Record<string, unknown>): ClientSessionEntity | undefined {
    return this.#track('usage', { type: 'telemetry', name: String(name), data: data ?? {} });
  }

  /**
   * Tracks an error event logged by name (`TelemetryLogger.logError(name, data)`), mapped as
   * {@link trackNamedEvent} maps names, but needing error consent instead of usage consent.
   */
  trackNamedErrorEvent(
    name: string,
    data?: Record<string, unknown>,
  ): ClientSessionEntity | undefined {
    return this.#track('error', { type: 'telemetry', name: String(name), data: data ?? {} });
  }

  /**
   * Tracks an error as an `application_error` 1-0-2 event (message, exception name and stack
   * are cut to the schema's limits); `data`, if any, goes in an `event_data` entity. Needs
   * error consent.
   */
  trackError(error: Error, data?: Record<string, unknown>): ClientSessionEntity | undefined {
    return this.#track('error', {
      type: 'error',
      name: String(error?.name ?? 'Error'),
      message: String(error?.message ?? error),
      stack: typeof error?.stack === 'string' ? error.stack : undefined,
      data: data ?? {},
    });
  }

  /**
   * Tracks a Snowplow self-describing event of the caller's schema, with optional extra
   * entities. Needs usage consent. The objects are read when the event is encoded, right
   * after the current call stack; do not change them afterwards.
   */
  trackSelfDescribingEvent(
    event: SelfDescribingJson,
    context?: readonly SelfDescribingJson[],
  ): ClientSessionEntity | undefined {
    if (typeof event?.schema !== 'string' || typeof event.data !== 'object') {
      throw new TypeError('trackSelfDescribingEvent expects { schema: string, data: object }');
    }
    return this.#track('usage', { type: 'selfDescribing', event, context });
  }

  /** Tracks a Snowplow structured event (`se`). Needs usage consent. */
  trackStructEvent(
    event: StructuredEvent,
    context?: readonly SelfDescribingJson[],
  ): ClientSessionEntity | undefined {
    if (typeof event?.category !== 'string' || typeof event.action !== 'string') {
      throw new TypeError('trackStructEvent expects at least { category, action } strings');
    }
    return this.#track('usage', { type: 'structured', event, context });
  }

  /**
   * Tracks an `application_foreground` or `application_background` event, numbered from 1
   * per tracker. Needs usage consent. The VS Code binding calls it on focus changes when
   * lifecycle events are on.
   */
  trackLifecycle(foreground: boolean): ClientSessionEntity | undefined {
    const index = foreground ? ++this.#foregroundIndex : ++this.#backgroundIndex;
    return this.#track('usage', { type: 'lifecycle', foreground, index });
  }

  #track(consent: ConsentKind, event: TrackedEvent): ClientSessionEntity | undefined {
    if (this.#disposed) {
      if (!this.#warnedUseAfterDispose) {
        this.#warnedUseAfterDispose = true;
        this.#logger.warn('An event was tracked after the Snowplow tracker was disposed; dropped');
      }
      return undefined;
    }
    if (!this.#allows(consent) || this.#endpoint === undefined) {
      return undefined;
    }
    const eid = this.#generateEventId();
    const dtm = this.#scheduler.now();
    const session = this.#session.update(eid, dtm);
    this.#pending.push({ consent, eid, dtm, session, event });
    if (!this.#pumpQueued) {
      this.#pumpQueued = true;
      queueMicrotask(this.#pump);
    }
    if (this.#onDidTrack.hasListeners) {
      this.#onDidTrack.fire({ eventId: eid, timestampMs: dtm, session, event });
    }
    return session;
  }

  /** Encodes what the hot path left and hands it to the queue. */
  readonly #pump = (): void => {
    this.#pumpQueued = false;
    const pending = this.#pending;
    if (pending.length === 0) {
      return;
    }
    this.#pending = [];
    const encoded: Array<{ consent: ConsentKind; json: string }> = [];
    for (const event of pending) {
      // Consent may have been withdrawn since the event was tracked.
      if (!this.#allows(event.consent)) {
        continue;
      }
      try {
        encoded.push({ consent: event.consent, json: this.#encoder.encode(event) });
      } catch (error) {
        this.#logger.warn(
          `An event could not be encoded and is dropped (${describeError(error)}); ` +
            'its data must be JSON-serialisable',
        );
      }
    }
    if (encoded.length > 0) {
      this.#queue.append(encoded);
    }
  };

  // --- consent and configuration ---------------------------------------------------------

  /** What the user currently allows. */
  get consent(): TelemetryConsent {
    return this.#consent;
  }

  /**
   * Applies the user's telemetry choice. Withdrawing usage consent discards every queued
   * usage event (in memory and in storage); withdrawing both discards the whole queue,
   * including queues other windows left behind.
   *
   * **DANGEROUS**: this is the consent gate itself. It must only ever be fed the user's own
   * choice (the VS Code binding feeds it the telemetry level and does not hand this method to
   * extensions); granting consent the user did not give sends their data against their will.
   * @throws TypeError when `consent` is not `{ usage: boolean, errors: boolean }`.
   */
  setConsent(consent: TelemetryConsent): void {
    const next = checkConsent(consent);
    const before = this.#consent;
    this.#consent = { usage: next.usage, errors: next.errors };
    if (before.usage === next.usage && before.errors === next.errors) {
      return;
    }
    this.#logger.info(
      `Telemetry consent: usage ${next.usage ? 'allowed' : 'not allowed'}, ` +
        `errors ${next.errors ? 'allowed' : 'not allowed'}`,
    );
    this.#pending = this.#pending.filter((event) => this.#allows(event.consent));
    this.#queue.setConsent(this.#consent);
    if (!next.usage && !next.errors) {
      this.#abortInFlight?.();
    }
  }

  /** The configuration problem that keeps events from being sent, if any. */
  get configurationError(): string | undefined {
    return this.#configurationError;
  }

  /** The tp2 endpoint events are POSTed to, when the collector URL is valid. */
  get endpoint(): string | undefined {
    return this.#endpoint;
  }

  /**
   * Changes the collector, e.g. when the user edits the setting. An invalid URL stops
   * tracking and sending (events already queued stay queued) until a valid one is set.
   */
  setCollectorUrl(collectorUrl: string): void {
    this.#applyCollectorUrl(collectorUrl);
    this.#scheduleSend(0);
  }

  #applyCollectorUrl(collectorUrl: string): void {
    if (typeof collectorUrl === 'string' && collectorUrl.trim() === '') {
      // No collector configured is a choice, not a mistake: quiet, and nothing is tracked.
      this.#endpoint = undefined;
      this.#configurationError = undefined;
      this.#logger.info('No Snowplow collector URL is set: events are neither kept nor sent');
      return;
    }
    const check = checkCollectorUrl(collectorUrl);
    if (check.ok) {
      this.#endpoint = check.endpoint;
      this.#configurationError = undefined;
      this.#logger.info(`Snowplow events go to ${check.endpoint}`);
    } else {
      this.#endpoint = undefined;
      this.#configurationError = check.error;
      this.#logger.error(check.error);
    }
  }

  #allows(consent: ConsentKind): boolean {
    return consent === 'usage' ? this.#consent.usage : this.#consent.errors;
  }

  // --- sending ---------------------------------------------------------------------------

  /** Number of events queued and not yet delivered or dropped (encoded ones only). */
  get queuedEventCount(): number {
    return this.#queue.liveCount;
  }

  /**
   * Schedules the next POST: at once when the queue fills a request, else when its oldest
   * event has waited `sendDelayMs`. A backoff in progress is never cut short.
   */
  #scheduleNextSend(): void {
    if (this.#queue.fillsRequest(this.#maxPostBytes)) {
      if (this.#sendTimer !== undefined) {
        this.#scheduler.clearTimeout(this.#sendTimer);
        this.#sendTimer = undefined;
      }
      this.#scheduleSend(0);
      return;
    }
    const oldest = this.#queue.oldestQueuedMs ?? this.#scheduler.now();
    const waited = Math.max(0, this.#scheduler.now() - oldest);
    this.#scheduleSend(Math.max(0, this.#sendDelayMs - waited));
  }

  #scheduleSend(delayMs: number): void {
    if (this.#sendTimer !== undefined || this.#retryTimer !== undefined) {
      return;
    }
    if (this.#inFlight !== undefined || this.#endpoint === undefined || this.#disposed) {
      return;
    }
    this.#sendTimer = this.#scheduler.setTimeout(() => {
      this.#sendTimer = undefined;
      void this.#sendOne();
    }, delayMs);
  }

  /** Sends one batch from the head of the queue, if there is one and nothing is in flight. */
  #sendOne(): Promise<void> {
    if (this.#inFlight !== undefined) {
      return this.#inFlight;
    }
    const endpoint = this.#endpoint;
    const batch = endpoint === undefined ? [] : this.#queue.takeBatch(this.#maxPostBytes);
    if (endpoint === undefined || batch.length === 0) {
      this.#resolveIdle();
      return Promise.resolve();
    }
    const { text: body, bytes } = this.#queue.body(batch, this.#scheduler.now());
    this.#inFlight = this.#post(endpoint, body).then((result) => {
      this.#inFlight = undefined;
      this.#abortInFlight = undefined;
      this.#settle(batch, bytes, result);
    });
    return this.#inFlight;
  }

  #settle(batch: QueuedEvent[], bytes: number, result: PostResult): void {
    // An event bigger than a request is sent alone, once: no collector will take it later.
    const oversize = batch.length === 1 && bytes > this.#maxPostBytes;
    const outcome = result.status === undefined ? 'retry' : outcomeOfStatus(result.status);
    const base = { status: result.status, events: batch.length, bytes };
    if (outcome === 'delivered') {
      this.#queue.remove(batch);
      if (this.#retryAttempt > 0) {
        this.#logger.info(`The collector takes events again after ${this.#retryAttempt} retries`);
      }
      this.#retryAttempt = 0;
      this.#logger.debug(`Delivered ${batch.length} event(s) (${bytes} bytes)`);
      this.#onDidAttemptDelivery.fire({ outcome, ...base });
      this.#continueAfterDelivery();
      return;
    }
    if (outcome === 'dropped' || oversize) {
      this.#queue.remove(batch);
      this.#logger.warn(
        oversize
          ? `An event of ${bytes} bytes is over the ${this.#maxPostBytes}-byte request limit; ` +
              `it was sent once (${result.status ?? result.reason}) and is dropped`
          : `The collector refused ${batch.length} event(s) with ${result.status} ` +
              `(${result.reason}); they are dropped, as Snowplow never retries ${result.status}`,
      );
      this.#onDidAttemptDelivery.fire({ outcome: 'dropped', ...base, reason: result.reason });
      this.#continueAfterDelivery();
      return;
    }
    this.#retryAttempt++;
    const retryAfterMs =
      result.retryAfterMs === undefined
        ? undefined
        : Math.min(result.retryAfterMs, this.#maxRetryAfterMs);
    const retryInMs =
      retryAfterMs ??
      backoffDelayMs(
        this.#retryAttempt,
        this.#minRetryDelayMs,
        this.#maxRetryDelayMs,
        this.#random,
      );
    const message =
      `Could not deliver ${batch.length} event(s): ${result.reason}; ` +
      `they stay queued, next try in ${Math.round(retryInMs / 1000)} s`;
    if (this.#retryAttempt === 1) {
      this.#logger.warn(message);
    } else {
      this.#logger.debug(`${message} (retry ${this.#retryAttempt})`);
    }
    this.#onDidAttemptDelivery.fire({ outcome, ...base, reason: result.reason, retryInMs });
    this.#resolveIdle();
    if (this.#disposed) {
      return;
    }
    if (this.#retryTimer !== undefined) {
      this.#scheduler.clearTimeout(this.#retryTimer);
    }
    this.#retryTimer = this.#scheduler.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#sendOne();
    }, retryInMs);
  }

  #continueAfterDelivery(): void {
    if (this.#queue.liveCount > 0 && !this.#disposed) {
      this.#scheduleNextSend();
    } else {
      this.#resolveIdle();
    }
  }

  /**
   * One POST with its timeout. No closure is made in this function's scope: a closure would
   * share a context with `body`, and the request timer (a Node timer, linked from a list that
   * lives in the old generation) would then keep every 40 KB body alive through young-generation
   * collections until a full one. That made the heap grow by the POST rate.
   */
  async #post(endpoint: string, body: string): Promise<PostResult> {
    const controller = new AbortController();
    this.#abortInFlight = abortFunction(controller);
    const timeout = startTimeout(this.#scheduler, controller, this.#requestTimeoutMs);
    try {
      const response = await this.#transport.post(endpoint, body, controller.signal);
      const text = response.text;
      const retryAfter = parseRetryAfterMs(response.retryAfter, this.#scheduler.now());
      return {
        status: response.status,
        reason: `HTTP ${response.status}: ${shorten(text) || response.statusText}`,
        retryAfterMs: response.status === 429 || response.status >= 500 ? retryAfter : undefined,
      };
    } catch (error) {
      const reason = timeout.fired
        ? `no answer within ${this.#requestTimeoutMs} ms`
        : controller.signal.aborted
          ? 'the request was cancelled'
          : `network error: ${describeError(error)}${causeOf(error)}`;
      return { status: undefined, reason, retryAfterMs: undefined };
    } finally {
      clearRequestTimeout(this.#scheduler, timeout);
    }
  }

  // --- flushing and shutdown ---------------------------------------------------------------

  /**
   * Sends everything queued now, batch after batch, ignoring the send delay and any backoff
   * for one try. Resolves when the queue is empty, a batch fails, or `timeoutMs` has passed;
   * never rejects. What is not delivered stays queued.
   */
  async flush(options: FlushOptions = {}): Promise<void> {
    const timeoutMs = nonNegative('timeoutMs', options.timeoutMs, 2000);
    await this.#withDeadline(timeoutMs, () => this.#drain());
  }

  /**
   * Stops tracking, writes what is pending to storage, tries to deliver the queue within
   * `timeoutMs` (default 2000 ms) and lets other windows take over whatever is left. Safe
   * to call twice; tracking afterwards logs once and does nothing.
   */
  async dispose(options: FlushOptions = {}): Promise<void> {
    if (this.#disposed) {
      return;
    }
    const timeoutMs = nonNegative('timeoutMs', options.timeoutMs, 2000);
    const deadline = this.#scheduler.now() + timeoutMs;
    await this.#withDeadline(timeoutMs, () => this.#drain());
    this.#disposed = true;
    this.#abortInFlight?.();
    for (const timer of [this.#sendTimer, this.#retryTimer]) {
      if (timer !== undefined) {
        this.#scheduler.clearTimeout(timer);
      }
    }
    this.#sendTimer = undefined;
    this.#retryTimer = undefined;
    const left = Math.max(0, deadline - this.#scheduler.now());
    await this.#withDeadline(left, () => this.#queue.close());
    this.#transport.dispose?.();
    this.#onDidAttemptDelivery.dispose();
    this.#onDidTrack.dispose();
    this.#resolveIdle();
  }

  /** Resolves when nothing is pending, in flight or waiting for its send timer. Tests use it. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#pump();
    await this.#queue.whenLoaded();
    await this.#queue.whenWritten();
    if (this.#endpoint === undefined) {
      return;
    }
    if (this.#sendTimer !== undefined) {
      this.#scheduler.clearTimeout(this.#sendTimer);
      this.#sendTimer = undefined;
    }
    let failed = false;
    const unsubscribe = this.onDidAttemptDelivery((attempt) => {
      failed ||= attempt.outcome === 'retry';
    });
    try {
      if (this.#inFlight !== undefined) {
        await this.#inFlight;
      }
      while (!failed && this.#queue.liveCount > 0 && !this.#disposed) {
        if (this.#retryTimer !== undefined) {
          this.#scheduler.clearTimeout(this.#retryTimer);
          this.#retryTimer = undefined;
        }
        await this.#sendOne();
      }
    } finally {
      unsubscribe.dispose();
    }
    await this.#queue.whenWritten();
  }

  async #withDeadline(timeoutMs: number, work: () => Promise<void>): Promise<void> {
    let timer: TimerHandle | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = this.#scheduler.setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([
        work().catch((error) => {
          this.#logger.warn(`Flushing Snowplow events failed: ${describeError(error)}`);
        }),
        deadline,
      ]);
    } finally {
      if (timer !== undefined) {
        this.#scheduler.clearTimeout(timer);
      }
    }
  }

  #isIdle(): boolean {
    return (
      this.#pending.length === 0 &&
      this.#inFlight === undefined &&
      (this.#sendTimer === undefined || this.#endpoint === undefined)
    );
  }

  #resolveIdle(): void {
    if (!this.#isIdle()) {
      return;
    }
    for (const resolve of this.#idleWaiters.splice(0)) {
      resolve();
    }
  }
}

interface PostResult {
  readonly status: number | undefined;
  readonly reason: string;
  readonly retryAfterMs: number | undefined;
}

function abortFunction(controller: AbortController): () => void {
  return () => controller.abort();
}

interface RequestTimeout {
  fired: boolean;
  handle: TimerHandle;
  controller: AbortController | undefined;
}

/**
 * Aborts `controller` after `timeoutMs`; `fired` says whether it did. The controller is reached
 * through the returned object, which {@link clearRequestTimeout} empties: a cleared Node timer
 * can stay reachable until a full collection, and must not keep the request with it.
 */
function startTimeout(
  scheduler: Scheduler,
  controller: AbortController,
  timeoutMs: number,
): RequestTimeout {
  const timeout: RequestTimeout = { fired: false, handle: {}, controller };
  timeout.handle = scheduler.setTimeout(() => {
    timeout.fired = true;
    timeout.controller?.abort();
  }, timeoutMs);
  return timeout;
}

function clearRequestTimeout(scheduler: Scheduler, timeout: RequestTimeout): void {
  scheduler.clearTimeout(timeout.handle);
  timeout.controller = undefined;
}

function defaultEventId(): string {
  const crypto = globalThis.crypto as Crypto | undefined;
  return typeof crypto?.randomUUID === 'function' ? crypto.randomUUID() : uuidv4();
}

function checkConsent(consent: TelemetryConsent): TelemetryConsent {
  if (
    typeof consent !== 'object' ||
    consent === null ||
    typeof consent.usage !== 'boolean' ||
    typeof consent.errors !== 'boolean'
  ) {
    throw new TypeError('consent must be { usage: boolean, errors: boolean }');
  }
  return consent;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a number >= 0, got ${String(value)}`);
  }
  return value;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_REASON_CHARS ? oneLine : oneLine.slice(0, MAX_REASON_CHARS) + '…';
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  return cause === undefined ? '' : ` (${describeError(cause)})`;
}
