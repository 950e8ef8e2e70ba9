/**
 * The durable event queue: encoded events in memory, mirrored to small files in a
 * {@link QueueStorage} folder that every window of a profile shares.
 *
 * Layout of the folder:
 * - `events-<created ms>-<owner id>-<seq>.jsonl`: a segment, the events one tracker queued
 *   within one write window (`writeDelayMs`, 200 ms by default). A first line
 *   `#vscode-client-session-queue 1`, then one event a line: `u` or `e` (the consent it needs:
 *   usage or error) followed by the payload JSON. Rewritten whole as its events are delivered,
 *   deleted when none is left.
 * - `owner-<owner id>.json`: `{"heartbeatMs": …}`, rewritten every heartbeat interval while the
 *   tracker lives, deleted when it is disposed.
 *
 * Fresh events are not written one microtask batch at a time: the first event after a write
 * opens a segment, everything queued in the next `writeDelayMs` joins it, and then it is written
 * in one go (at once on flush and close). At 100 events/s that is 5 segment writes a second
 * instead of one per event, and events delivered within the window are never written at all.
 * The price: a crash (not a close, a reload or a flush, which write at once) loses the events of
 * at most the last `writeDelayMs`.
 *
 * A segment whose events are delivered only in part is rewritten lazily (at the next heartbeat
 * or on close) rather than after every batch, which would rewrite a large segment once per
 * batch; a crash in between delivers those events again, with the same ids. Events discarded
 * for consent are removed from storage at once.
 *
 * A tracker takes over (renames to its own id, which only one window can win) the segments of
 * owners whose heartbeat is missing or older than `orphanAfterMs`: a closed window's at once,
 * a crashed one's after that silence. Writes are serialized and never on the tracking path.
 * A file cut short by a crash loses only its unreadable lines, which are counted in the log.
 */
import { describeError } from '../core/event';
import type { Logger } from '../core/logger';
import type { ConsentKind, TelemetryConsent } from './events';
import type { QueueStorage } from './queueStorage';
import type { Scheduler, TimerHandle } from './scheduler';
import { utf8Length } from './utf8';

const HEADER = '#vscode-client-session-queue 1';
const SEGMENT_NAME = /^events-(\d{13})-([0-9a-f-]{36})-(\d{6})\.jsonl$/;
const OWNER_NAME = /^owner-([0-9a-f-]{36})\.json$/;
const PAYLOAD_DATA_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4';
const BODY_START = `{"schema":"${PAYLOAD_DATA_SCHEMA}","data":[`;
const BODY_END = ']}';
const BODY_START_BYTES = utf8Length(BODY_START);
/** `,"stm":"` + 13 digits + `"`: what the sent time adds to an event until the year 2286. */
const STM_BYTES = 22;

/**
 * One queued event. `live` turns false once it is delivered, dropped or discarded, and `json`
 * becomes '' then, so that its text can be collected while the segment still lists it.
 */
export interface QueuedEvent {
  json: string;
  readonly bytes: number;
  readonly consent: ConsentKind;
  live: boolean;
  readonly segment: Segment;
}

interface Segment {
  readonly name: string;
  readonly createdMs: number;
  readonly events: QueuedEvent[];
  /** How many of `events` are live. */
  live: number;
  /** Index of the first event that may be live: batches are taken from the head. */
  head: number;
  written: boolean;
}

/**
 * What {@link DurableQueue} needs; the tracker resolves every default (caps in events and
 * bytes, intervals in ms) and documents them in `SnowplowTrackerOptions`.
 */
export interface DurableQueueOptions {
  readonly storage: QueueStorage;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly orphanAfterMs: number;
  /** How long a new segment collects events before it is written, in ms. */
  readonly writeDelayMs: number;
  readonly generateId: () => string;
  /** Called when events are added (tracked here or taken over from another window). */
  readonly onEventsAvailable: () => void;
}

/** See the file comment. Used by the tracker only. */
export class DurableQueue {
  readonly #options: DurableQueueOptions;
  readonly #storage: QueueStorage;
  readonly #logger: Logger;
  readonly #ownerId: string;
  #sequence = 0;
  #segments: Segment[] = [];
  #liveCount = 0;
  #liveBytes = 0;
  /** The newest segment, collecting events until its write timer fires. */
  #openSegment: Segment | undefined;
  #openSegmentTimer: TimerHandle | undefined;
  #consent: TelemetryConsent = { usage: false, errors: false };

  readonly #dirty = new Set<Segment>();
  /** Segments whose file still holds events delivered or dropped since it was written. */
  readonly #stale = new Set<Segment>();
  #purgeRequested = false;
  #writing: Promise<void> | undefined;
  #storageFailed = false;
  #loading: Promise<void> | undefined;
  #heartbeatRun: Promise<void> | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: DurableQueueOptions) {
    this.#options = options;
    this.#storage = options.storage;
    this.#logger = options.logger;
    this.#ownerId = options.generateId().toLowerCase();
  }

  /** Events not yet delivered, dropped or discarded. */
  get liveCount(): number {
    return this.#liveCount;
  }

  /**
   * Whether the live events fill one POST of `maxPostBytes` (envelope, commas and `stm`
   * counted), so that waiting longer would not make the next request any bigger.
   */
  fillsRequest(maxPostBytes: number): boolean {
    const bytes =
      BODY_START_BYTES + BODY_END.length + this.#liveBytes + this.#liveCount * (STM_BYTES + 1) - 1;
    return this.#liveCount > 0 && bytes >= maxPostBytes;
  }

  /** When the oldest live event was queued (ms since the epoch), or `undefined` when empty. */
  get oldestQueuedMs(): number | undefined {
    return this.#segments[0]?.createdMs;
  }

  /**
   * Applies consent: discards queued events it no longer allows; with none at all, also
   * deletes every queue file in the folder (other windows' too: they share the user's
   * setting) and stops the heartbeat; with some, starts looking after the folder.
   */
  setConsent(consent: TelemetryConsent): void {
    this.#consent = consent;
    let discarded = 0;
    for (const segment of this.#segments) {
      for (const event of segment.events) {
        if (event.live && !this.#allows(event.consent)) {
          this.#kill(event, true);
          discarded++;
        }
      }
    }
    this.#compact();
    if (discarded > 0) {
      this.#logger.info(
        `Discarded ${discarded} queued event(s) the telemetry setting no longer allows`,
      );
    }
    if (!consent.usage && !consent.errors) {
      this.#stopHeartbeat();
      this.#loading = undefined;
      this.#purgeRequested = true;
    } else if (this.#loading === undefined && !this.#closed) {
      this.#loading = this.#startHeartbeat();
    }
    this.#kickWrites();
  }

  /**
   * Adds freshly encoded events to the open segment (opening one, written `writeDelayMs`
   * later, if there is none); the oldest are dropped beyond the caps.
   */
  append(encoded: ReadonlyArray<{ consent: ConsentKind; json: string }>): void {
    if (this.#closed) {
      return;
    }
    const segment = this.#openSegment ?? this.#openNewSegment();
    for (const { consent, json } of encoded) {
      this.#addEvent(segment, consent, json);
    }
    this.#enforceBounds();
    this.#options.onEventsAvailable();
  }

  /**
   * The oldest live events that fit in one POST of `maxPostBytes` (always at least one: an
   * event too big for any request is returned alone, and the caller drops it after one try).
   */
  takeBatch(maxPostBytes: number): QueuedEvent[] {
    const batch: QueuedEvent[] = [];
    // `stm` adds `,"stm":"<13 digits>"` to each event, and a comma separates events.
    let size = BODY_START_BYTES + BODY_END.length;
    for (const segment of this.#segments) {
      while (segment.head < segment.events.length && !segment.events[segment.head]!.live) {
        segment.head++;
      }
      for (let i = segment.head; i < segment.events.length; i++) {
        const event = segment.events[i]!;
        if (!event.live) {
          continue;
        }
        const added = event.bytes + STM_BYTES + (batch.length > 0 ? 1 : 0);
        if (batch.length > 0 && size + added > maxPostBytes) {
          return batch;
        }
        batch.push(event);
        size += added;
      }
    }
    return batch;
  }

  /**
   * The POST body for `batch`, each event stamped with the sent time `nowMs`, and its size in
   * UTF-8 bytes (counted from the events' known sizes, not by scanning the body again).
   */
  body(batch: readonly QueuedEvent[], nowMs: number): { text: string; bytes: number } {
    const stm = `,"stm":"${Math.trunc(nowMs)}"}`;
    let text = BODY_START;
    let bytes = BODY_START_BYTES + BODY_END.length;
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      text += (i > 0 ? ',' : '') + event.json.slice(0, -1) + stm;
      // The closing brace is replaced by the stamp, which ends with one; stm is ASCII.
      bytes += event.bytes - 1 + stm.length + (i > 0 ? 1 : 0);
    }
    return { text: text + BODY_END, bytes };
  }

  /** Takes delivered (or dropped) events out of the queue and its files. */
  remove(batch: readonly QueuedEvent[]): void {
    for (const event of batch) {
      if (event.live) {
        this.#kill(event, false);
      }
    }
    this.#compact();
    this.#kickWrites();
  }

  /** Resolves once the latest look at the folder for other windows' queues is over. */
  async whenLoaded(): Promise<void> {
    await this.#heartbeatRun;
  }

  /**
   * Writes the open segment now, without waiting for its timer, and resolves when every change
   * so far is in storage (or storage failed and said so).
   */
  async whenWritten(): Promise<void> {
    this.#writeOpenSegment();
    while (this.#writing !== undefined) {
      await this.#writing;
    }
  }

  /**
   * Writes what is left, stops the heartbeat and removes our owner file, so other windows
   * (or this one after a reload) take over the queue at once. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#stopHeartbeat();
    this.#writeStale();
    await this.whenWritten();
    this.#closed = true;
    if (this.#consent.usage || this.#consent.errors) {
      try {
        await this.#storage.delete(this.#ownerName());
      } catch (error) {
        this.#warnStorage('remove the queue owner file', error);
      }
    }
  }

  // --- bookkeeping ---------------------------------------------------------------------

  #allows(consent: ConsentKind): boolean {
    return consent === 'usage' ? this.#consent.usage : this.#consent.errors;
  }

  #openNewSegment(): Segment {
    const createdMs = this.#options.scheduler.now();
    const segment: Segment = {
      name: this.#segmentName(createdMs),
      createdMs,
      events: [],
      live: 0,
      head: 0,
      written: false,
    };
    this.#segments.push(segment);
    this.#openSegment = segment;
    this.#openSegmentTimer = this.#options.scheduler.setTimeout(
      () => this.#writeOpenSegment(),
      this.#options.writeDelayMs,
    );
    return segment;
  }

  /** Closes the open segment to new events and queues its write. */
  #writeOpenSegment(): void {
    const segment = this.#openSegment;
    if (segment === undefined) {
      return;
    }
    this.#forgetOpenSegment();
    this.#dirty.add(segment);
    this.#kickWrites();
  }

  #forgetOpenSegment(): void {
    if (this.#openSegmentTimer !== undefined) {
      this.#options.scheduler.clearTimeout(this.#openSegmentTimer);
      this.#openSegmentTimer = undefined;
    }
    this.#openSegment = undefined;
  }

  #addEvent(segment: Segment, consent: ConsentKind, json: string): void {
    const bytes = utf8Length(json);
    segment.events.push({ json, bytes, consent, live: true, segment });
    segment.live++;
    this.#liveCount++;
    this.#liveBytes += bytes;
  }

  /**
   * Takes an event out of the queue. `urgent` (consent withdrawn) rewrites its file now;
   * otherwise an emptied file is deleted now and a partly delivered one rewritten later.
   */
  #kill(event: QueuedEvent, urgent: boolean): void {
    const segment = event.segment;
    event.live = false;
    event.json = '';
    segment.live--;
    this.#liveCount--;
    this.#liveBytes -= event.bytes;
    if (urgent || segment.live === 0) {
      this.#stale.delete(segment);
      this.#dirty.add(segment);
    } else {
      this.#stale.add(segment);
    }
  }

  /** Queues the lazy rewrites of partly delivered segments. */
  #writeStale(): void {
    for (const segment of this.#stale) {
      this.#dirty.add(segment);
    }
    this.#stale.clear();
    this.#kickWrites();
  }

  /** Forgets segments with nothing live; their files go at the next write. */
  #compact(): void {
    if (this.#openSegment?.live === 0) {
      // Nothing to write; if an early (consent) write left a file, #kill queued its delete.
      this.#forgetOpenSegment();
    }
    if (this.#segments.some((segment) => segment.live === 0)) {
      this.#segments = this.#segments.filter((segment) => segment.live > 0);
    }
    for (const segment of this.#segments) {
      dropDeadHead(segment);
    }
  }

  #enforceBounds(): void {
    const { maxEvents, maxBytes } = this.#options;
    if (this.#liveCount <= maxEvents && this.#liveBytes <= maxBytes) {
      return;
    }
    let dropped = 0;
    outer: for (const segment of this.#segments) {
      for (const event of segment.events) {
        if (this.#liveCount <= maxEvents && this.#liveBytes <= maxBytes) {
          break outer;
        }
        if (event.live) {
          this.#kill(event, false);
          dropped++;
        }
      }
    }
    this.#compact();
    this.#logger.warn(
      `The event queue is full (at most ${maxEvents} events and ${maxBytes} bytes): ` +
        `dropped the ${dropped} oldest event(s)`,
    );
  }

  #segmentName(createdMs: number): string {
    const sequence = String(this.#sequence++ % 1_000_000).padStart(6, '0');
    const created = String(Math.trunc(createdMs)).padStart(13, '0');
    return `events-${created}-${this.#ownerId}-${sequence}.jsonl`;
  }

  #ownerName(): string {
    return `owner-${this.#ownerId}.json`;
  }

  // --- storage ---------------------------------------------------------------------------

  #kickWrites(): void {
    if (this.#writing !== undefined || (this.#dirty.size === 0 && !this.#purgeRequested)) {
      return;
    }
    this.#writing = this.#writeLoop().finally(() => {
      this.#writing = undefined;
    });
  }

  /** Writes dirty segments one at a time; a failed one waits for the next heartbeat. */
  async #writeLoop(): Promise<void> {
    const failed: Segment[] = [];
    while (this.#purgeRequested || this.#dirty.size > 0) {
      if (this.#purgeRequested) {
        this.#purgeRequested = false;
        this.#dirty.clear();
        await this.#purgeFolder();
        continue;
      }
      const segment = this.#dirty.values().next().value as Segment;
      this.#dirty.delete(segment);
      this.#stale.delete(segment);
      const live = segment.events.filter((event) => event.live);
      try {
        if (live.length === 0) {
          if (segment.written) {
            await this.#storage.delete(segment.name);
            segment.written = false;
          }
        } else {
          await this.#storage.write(segment.name, serialize(live));
          segment.written = true;
        }
        this.#storageWorks();
      } catch (error) {
        this.#warnStorage('save queued events', error);
        failed.push(segment);
      }
    }
    // Tried again at the next heartbeat, not now: a broken disk must not become a busy loop.
    for (const segment of failed) {
      this.#dirty.add(segment);
    }
  }

  /** Deletes every segment and our owner file: telemetry was turned off. */
  async #purgeFolder(): Promise<void> {
    this.#forgetOpenSegment();
    this.#segments = [];
    this.#stale.clear();
    this.#liveCount = 0;
    this.#liveBytes = 0;
    try {
      const names = await this.#storage.list();
      let deleted = 0;
      for (const name of names) {
        if (SEGMENT_NAME.test(name) || name === this.#ownerName()) {
          await this.#storage.delete(name);
          deleted += SEGMENT_NAME.test(name) ? 1 : 0;
        }
      }
      if (deleted > 0) {
        this.#logger.info(`Telemetry is off: deleted ${deleted} queue file(s)`);
      }
    } catch (error) {
      this.#warnStorage('delete the queue files', error);
    }
  }

  /** Says we are alive, takes over other windows' orphaned queues, and comes back later. */
  async #heartbeat(): Promise<void> {
    this.#heartbeatTimer = undefined;
    if (this.#closed || (!this.#consent.usage && !this.#consent.errors)) {
      return;
    }
    const now = this.#options.scheduler.now();
    try {
      await this.#storage.write(this.#ownerName(), JSON.stringify({ heartbeatMs: now }));
      await this.#takeOverOrphans(now);
      this.#storageWorks();
    } catch (error) {
      this.#warnStorage('look after the queue folder', error);
    }
    if (this.#closed || (!this.#consent.usage && !this.#consent.errors)) {
      return;
    }
    this.#writeStale();
    this.#heartbeatTimer = this.#options.scheduler.setTimeout(() => {
      void this.#startHeartbeat();
    }, this.#options.heartbeatIntervalMs);
  }

  #startHeartbeat(): Promise<void> {
    this.#heartbeatRun = this.#heartbeat();
    return this.#heartbeatRun;
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer !== undefined) {
      this.#options.scheduler.clearTimeout(this.#heartbeatTimer);
      this.#heartbeatTimer = undefined;
    }
  }

  async #takeOverOrphans(now: number): Promise<void> {
    const names = await this.#storage.list();
    const owners = new Set<string>();
    const segments: Array<{ name: string; createdMs: number; owner: string }> = [];
    for (const name of names) {
      const segment = SEGMENT_NAME.exec(name);
      if (segment !== null && segment[2] !== this.#ownerId) {
        segments.push({ name, createdMs: Number(segment[1]), owner: segment[2]! });
      }
      const owner = OWNER_NAME.exec(name);
      if (owner !== null && owner[1] !== this.#ownerId) {
        owners.add(owner[1]!);
      }
    }
    const alive = new Set<string>();
    for (const owner of owners) {
      const heartbeat = await this.#readHeartbeat(owner);
      if (heartbeat !== undefined && now - heartbeat < this.#options.orphanAfterMs) {
        alive.add(owner);
      } else if (!segments.some((segment) => segment.owner === owner)) {
        // A crashed window's owner file, nothing left of its queue: tidy it away.
        await this.#storage.delete(`owner-${owner}.json`);
      }
    }
    let taken = 0;
    let unreadable = 0;
    for (const orphan of segments.sort((a, b) => a.createdMs - b.createdMs)) {
      if (alive.has(orphan.owner) || this.#closed) {
        continue;
      }
      const name = this.#segmentName(orphan.createdMs);
      if (!(await this.#storage.rename(orphan.name, name))) {
        continue; // another window took it first
      }
      const text = (await this.#storage.read(name)) ?? '';
      const segment: Segment = {
        name,
        createdMs: orphan.createdMs,
        events: [],
        live: 0,
        head: 0,
        written: true,
      };
      const parsed = parse(text);
      unreadable += parsed.unreadable;
      for (const { consent, json } of parsed.events) {
        if (this.#allows(consent)) {
          this.#addEvent(segment, consent, json);
          taken++;
        }
      }
      if (segment.events.length !== parsed.events.length || parsed.unreadable > 0) {
        this.#dirty.add(segment);
      }
      if (segment.events.length === 0) {
        await this.#storage.delete(name);
        continue;
      }
      this.#insertInOrder(segment);
    }
    if (unreadable > 0) {
      this.#logger.warn(`Skipped ${unreadable} unreadable line(s) in queue files left by a crash`);
    }
    if (taken > 0) {
      this.#logger.info(`Took over ${taken} queued event(s) left by another window or session`);
      this.#enforceBounds();
      this.#options.onEventsAvailable();
    }
  }

  async #readHeartbeat(owner: string): Promise<number | undefined> {
    try {
      const text = await this.#storage.read(`owner-${owner}.json`);
      const heartbeat = text === undefined ? undefined : JSON.parse(text)?.heartbeatMs;
      return typeof heartbeat === 'number' ? heartbeat : undefined;
    } catch {
      return undefined;
    }
  }

  #insertInOrder(segment: Segment): void {
    const index = this.#segments.findIndex((s) => s.createdMs > segment.createdMs);
    if (index < 0) {
      this.#segments.push(segment);
    } else {
      this.#segments.splice(index, 0, segment);
    }
  }

  #storageWorks(): void {
    if (this.#storageFailed) {
      this.#storageFailed = false;
      this.#logger.info('The event queue can be saved again');
    }
  }

  #warnStorage(what: string, error: unknown): void {
    if (!this.#storageFailed) {
      this.#storageFailed = true;
      this.#logger.warn(
        `Could not ${what} (${describeError(error)}); events stay in memory and saving is ` +
          'tried again later',
      );
    }
  }
}

/**
 * Lets go of the delivered or dropped events at the start of a segment once they are most of
 * it. A segment open for a whole write window can gather tens of thousands of events while the
 * collector is down and the caps drop the oldest; without this their text stayed reachable
 * until the last event of the segment was gone.
 */
function dropDeadHead(segment: Segment): void {
  const events = segment.events;
  while (segment.head < events.length && !events[segment.head]!.live) {
    segment.head++;
  }
  if (segment.head >= 256 && segment.head * 2 >= events.length) {
    events.splice(0, segment.head);
    segment.head = 0;
  }
}

function serialize(events: readonly QueuedEvent[]): string {
  let text = HEADER;
  for (const event of events) {
    text += '\n' + (event.consent === 'usage' ? 'u' : 'e') + event.json;
  }
  return text + '\n';
}

function parse(text: string): {
  events: Array<{ consent: ConsentKind; json: string }>;
  unreadable: number;
} {
  const events: Array<{ consent: ConsentKind; json: string }> = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const consent = line[0] === 'u' ? 'usage' : line[0] === 'e' ? 'error' : undefined;
    const json = line.slice(1);
    if (consent === undefined || !isPayloadJson(json)) {
      unreadable++;
      continue;
    }
    events.push({ consent, json });
  }
  return { events, unreadable };
}

function isPayloadJson(json: string): boolean {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
