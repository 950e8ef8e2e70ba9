/**
 * Snowplow delivery, independent of any host: the tracker, its `TelemetrySender`, the
 * durable queue's storage interface, and the helpers a binding needs.
 */
export { checkCollectorUrl, TP2_PATH } from './collectorUrl';
export type { CollectorUrlCheck } from './collectorUrl';
export {
  APPLICATION_ERROR_SCHEMA,
  APPLICATION_SCHEMA,
  DESKTOP_CONTEXT_SCHEMA,
  EVENT_DATA_SCHEMA,
  TELEMETRY_EVENT_SCHEMA,
} from './events';
export type { EventMapper, StructuredEvent, TelemetryConsent, TrackedEvent } from './events';
export { TRACKER_VERSION } from './payload';
export type { Platform } from './payload';
export { nodeFileQueueStorage } from './nodeFileQueueStorage';
export { InMemoryQueueStorage } from './queueStorage';
export type { QueueStorage } from './queueStorage';
export { NON_RETRYABLE_STATUSES } from './retry';
export { realScheduler } from './scheduler';
export type { Scheduler, TimerHandle } from './scheduler';
export { SnowplowTelemetrySender } from './sender';
export { SnowplowTracker } from './tracker';
export { fetchTransport, nodeHttpTransport } from './transport';
export type { HttpTransport, TransportResponse } from './transport';
export type {
  DeliveryAttempt,
  FlushOptions,
  SessionCounter,
  SnowplowTrackerOptions,
  TrackedEventInfo,
} from './tracker';
