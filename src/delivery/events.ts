/**
 * What a tracked event is before it is encoded: the small record the hot path keeps in
 * memory, and the schemas events are mapped to.
 */
import type { ClientSessionEntity, SelfDescribingJson } from '../core/entity';

/** Our default event for `logUsage(name, data)`: `{ name, data }`. Shipped in schemas/own. */
export const TELEMETRY_EVENT_SCHEMA =
  'iglu:io.github.vscode-client-session/telemetry_event/jsonschema/1-0-0';

/** Our entity for the data logged with an error: `{ data }`. Shipped in schemas/own. */
export const EVENT_DATA_SCHEMA = 'iglu:io.github.vscode-client-session/event_data/jsonschema/1-0-0';

/** Snowplow's error event, as the mobile trackers send it. */
export const APPLICATION_ERROR_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/application_error/jsonschema/1-0-2';

/** Lifecycle event: the window got focus (`{ foregroundIndex }`). */
export const APPLICATION_FOREGROUND_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0';
/** Lifecycle event: the window lost focus (`{ backgroundIndex }`). */
export const APPLICATION_BACKGROUND_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0';
/** Optional entity: the extension's version. */
export const APPLICATION_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0';
/** Optional entity: the operating system. */
export const DESKTOP_CONTEXT_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/desktop_context/jsonschema/1-0-0';

/**
 * Which consent an event needs: `usage` events go only while the user allows usage data,
 * `error` events while the user allows error data (VS Code's "error" level allows only these).
 */
export type ConsentKind = 'usage' | 'error';

/** What the user allows, as VS Code's `TelemetryLogger.isUsageEnabled` / `isErrorsEnabled`. */
export interface TelemetryConsent {
  readonly usage: boolean;
  readonly errors: boolean;
}

/** A Snowplow structured event: category and action required, the rest optional. */
export interface StructuredEvent {
  readonly category: string;
  readonly action: string;
  readonly label?: string;
  readonly property?: string;
  readonly value?: number;
}

/** The forms an event takes between the hot path and the encoder. */
export type TrackedEvent =
  | { readonly type: 'telemetry'; readonly name: string; readonly data: Record<string, unknown> }
  | {
      readonly type: 'error';
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      readonly data: Record<string, unknown>;
    }
  | {
      readonly type: 'selfDescribing';
      readonly event: SelfDescribingJson;
      readonly context: readonly SelfDescribingJson[] | undefined;
    }
  | {
      readonly type: 'structured';
      readonly event: StructuredEvent;
      readonly context: readonly SelfDescribingJson[] | undefined;
    }
  | { readonly type: 'lifecycle'; readonly foreground: boolean; readonly index: number };

/** One event as the hot path leaves it: ids and session fixed, nothing encoded yet. */
export interface PendingEvent {
  readonly consent: ConsentKind;
  readonly eid: string;
  readonly dtm: number;
  readonly session: ClientSessionEntity;
  readonly event: TrackedEvent;
}

/**
 * Maps an event logged by name (`logUsage(name, data)`) to a self-describing event of the
 * author's own schema; `undefined` lets the next rule decide (the `eventSchemas` table, then
 * our `telemetry_event`). `name` has VS Code's `publisher.extension/` prefix removed.
 */
export type EventMapper = (
  name: string,
  data: Record<string, unknown>,
) => SelfDescribingJson | undefined;
