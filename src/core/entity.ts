/**
 * The `client_session` context entity, as Snowplow's schema 1-0-2 defines it.
 *
 * Every field here is sent with every tracked event; the schema forbids any other field.
 */

/** Iglu URI of the entity this library produces. */
export const CLIENT_SESSION_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2';

/**
 * Where the session is kept, from the schema's enum. The schema predates VS Code, so each
 * store picks the closest value and says why in its own doc comment.
 */
export type StorageMechanism = 'SQLITE' | 'COOKIE_1' | 'COOKIE_3' | 'LOCAL_STORAGE' | 'FLASH_LSO';

/** Every value the schema allows for {@link StorageMechanism}. */
export const STORAGE_MECHANISMS: readonly StorageMechanism[] = [
  'SQLITE',
  'COOKIE_1',
  'COOKIE_3',
  'LOCAL_STORAGE',
  'FLASH_LSO',
];

/** The largest `sessionIndex` and `eventIndex` the schema allows (2^31 - 1). */
export const MAX_INDEX = 2_147_483_647;

/** The data of a `client_session` 1-0-2 entity. */
export interface ClientSessionEntity {
  /** Lowercase UUID v4 of the user (really: of this VS Code profile), kept across sessions. */
  readonly userId: string;
  /** UUID v4 of the current session. */
  readonly sessionId: string;
  /** 1 for the user's first session, then one more for each new session. */
  readonly sessionIndex: number;
  /** Position of this event in its session: 1 for the event that opened it. */
  readonly eventIndex: number | null;
  /** `sessionId` of the session before this one, or `null` for the first. */
  readonly previousSessionId: string | null;
  /** Id of the event that opened the session (`null` only in a preview of a new session). */
  readonly firstEventId: string | null;
  /** ISO 8601 UTC time (ms precision) of the event that opened the session. */
  readonly firstEventTimestamp: string | null;
  /** Where the session is kept: the store's {@link StorageMechanism}. */
  readonly storageMechanism: StorageMechanism;
}

/** A self-describing JSON wrapper: what goes in a Snowplow `contexts` array. */
export interface SelfDescribingJson<T = Record<string, unknown>> {
  readonly schema: string;
  readonly data: T;
}
