/**
 * The JSON a {@link ClientSession} keeps in its {@link SessionStore}, and the parser that
 * reads it back. The parser trusts nothing: the store may hold another version's record,
 * another program's data or a half-written edit, and what it cannot vouch for must never
 * reach an entity.
 */
import { MAX_INDEX } from './entity';

/** The record version this library writes. Records of any other version are not read. */
export const SESSION_RECORD_VERSION = 1;

/** The session part of a record; absent when no session has started since the last reset. */
export interface StoredSession {
  sessionId: string;
  previousSessionId: string | null;
  /** Index of the last event counted in this session (1 for the opening event). */
  eventIndex: number;
  firstEventId: string;
  /** ISO 8601 UTC, milliseconds: `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  firstEventTimestamp: string;
  /** Wall-clock time of the last activity (event or focus change), ms since the epoch. */
  lastActivity: number;
}

/** Everything kept in the store. */
export interface SessionRecord {
  version: typeof SESSION_RECORD_VERSION;
  userId: string;
  /** Index of the current (or last) session; 0 before the first. */
  sessionIndex: number;
  /**
   * How many times the session was forgotten on purpose. A record with a higher count
   * wins over one with a lower count, so a reset made in one window is not undone by a
   * late write from another.
   */
  resetCount: number;
  /** Set by `startNewSession` or an expiry seen at a focus change: the next event opens one. */
  newSessionRequested: boolean;
  session: StoredSession | null;
}

/** What could be kept from a record that is not valid as a whole. */
export interface SalvagedRecord {
  userId?: string;
  sessionIndex?: number;
  resetCount?: number;
}

/** The outcome of {@link parseSessionRecord}. */
export type ParsedRecord =
  | { readonly ok: true; readonly record: SessionRecord }
  | { readonly ok: false; readonly problems: string[]; readonly salvaged: SalvagedRecord };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const RECORD_FIELDS = new Set([
  'version',
  'userId',
  'sessionIndex',
  'resetCount',
  'newSessionRequested',
  'session',
]);
const SESSION_FIELDS = new Set([
  'sessionId',
  'previousSessionId',
  'eventIndex',
  'firstEventId',
  'firstEventTimestamp',
  'lastActivity',
]);

/** Whether `value` is a UUID in the 8-4-4-4-12 hex form, in either case. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Whether `value` is a UUID in lowercase, as the schema requires of `userId`. */
export function isLowercaseUuid(value: unknown): value is string {
  return typeof value === 'string' && LOWERCASE_UUID.test(value);
}

function isIndex(value: unknown, min: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= MAX_INDEX;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses an ISO 8601 UTC timestamp with milliseconds; `undefined` when it is not one. */
function parseIsoTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_UTC_MS.test(value)) {
    return undefined;
  }
  const ms = Date.parse(value);
  // Date.parse accepts 2024-02-31 by rolling over; the round trip rejects it.
  return Number.isFinite(ms) && new Date(ms).toISOString() === value ? ms : undefined;
}

function unknownFields(object: Record<string, unknown>, known: Set<string>): string[] {
  return Object.keys(object).filter((key) => !known.has(key));
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads a stored record. Never throws: a record that is not exactly what this version
 * writes comes back as `ok: false` with every problem named and whatever parts are still
 * trustworthy on their own (user id, session index, reset count).
 */
export function parseSessionRecord(json: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, problems: ['it is not valid JSON'], salvaged: {} };
  }
  if (!isPlainObject(value)) {
    return { ok: false, problems: [`it is ${describe(value)}, not a JSON object`], salvaged: {} };
  }

  const problems: string[] = [];
  const salvaged: SalvagedRecord = {};
  if (isLowercaseUuid(value.userId)) {
    salvaged.userId = value.userId;
  } else {
    problems.push(`userId ${describe(value.userId)} is not a lowercase UUID`);
  }
  if (isIndex(value.sessionIndex, 0)) {
    salvaged.sessionIndex = value.sessionIndex;
  } else {
    problems.push(
      `sessionIndex ${describe(value.sessionIndex)} is not an integer in 0..${MAX_INDEX}`,
    );
  }
  if (isIndex(value.resetCount, 0)) {
    salvaged.resetCount = value.resetCount;
  } else {
    problems.push(`resetCount ${describe(value.resetCount)} is not an integer in 0..${MAX_INDEX}`);
  }
  if (value.version !== SESSION_RECORD_VERSION) {
    // Another version may give the same names other meanings: keep nothing of it.
    return {
      ok: false,
      problems: [
        `it has version ${describe(value.version)}; ` +
          `this library reads version ${SESSION_RECORD_VERSION}`,
      ],
      salvaged: {},
    };
  }
  if (typeof value.newSessionRequested !== 'boolean') {
    problems.push(`newSessionRequested ${describe(value.newSessionRequested)} is not a boolean`);
  }
  const extra = unknownFields(value, RECORD_FIELDS);
  if (extra.length > 0) {
    problems.push(`it has unknown fields ${extra.join(', ')}`);
  }

  const session = value.session;
  if (session !== null) {
    if (!isPlainObject(session)) {
      problems.push(`session ${describe(session)} is neither null nor an object`);
    } else {
      problems.push(...sessionProblems(session));
      if (salvaged.sessionIndex === 0) {
        problems.push('it has a session but sessionIndex 0');
      }
    }
  }

  if (problems.length > 0) {
    return { ok: false, problems, salvaged };
  }
  return { ok: true, record: value as unknown as SessionRecord };
}

function sessionProblems(session: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!isUuid(session.sessionId)) {
    problems.push(`session.sessionId ${describe(session.sessionId)} is not a UUID`);
  }
  if (session.previousSessionId !== null && !isUuid(session.previousSessionId)) {
    problems.push(
      `session.previousSessionId ${describe(session.previousSessionId)} is neither null nor a UUID`,
    );
  }
  if (!isIndex(session.eventIndex, 1)) {
    problems.push(
      `session.eventIndex ${describe(session.eventIndex)} is not an integer in 1..${MAX_INDEX}`,
    );
  }
  if (!isUuid(session.firstEventId)) {
    problems.push(`session.firstEventId ${describe(session.firstEventId)} is not a UUID`);
  }
  const lastActivity = session.lastActivity;
  if (!Number.isSafeInteger(lastActivity) || (lastActivity as number) < 0) {
    problems.push(`session.lastActivity ${describe(lastActivity)} is not a time in ms`);
  }
  // A last activity in the future is not judged here: the session treats it as the clock
  // having gone back, whichever store it came from.
  if (parseIsoTimestamp(session.firstEventTimestamp) === undefined) {
    problems.push(
      `session.firstEventTimestamp ${describe(session.firstEventTimestamp)} ` +
        'is not an ISO 8601 UTC time with milliseconds',
    );
  }
  const extra = unknownFields(session, SESSION_FIELDS);
  if (extra.length > 0) {
    problems.push(`session has unknown fields ${extra.join(', ')}`);
  }
  return problems;
}
