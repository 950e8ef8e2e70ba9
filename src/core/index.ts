/**
 * The host-independent part of the library (`vscode-client-session/core`): client sessions
 * and their stores, usable in any JavaScript runtime, with no dependency on `vscode`.
 */
export {
  ClientSession,
  DEFAULT_SESSION_TIMEOUT_SECONDS,
  MAX_SESSION_TIMEOUT_SECONDS,
} from './clientSession';
export type {
  ClientSessionOptions,
  ForgetSessionOptions,
  SessionChangeEvent,
  SessionSnapshot,
  SessionStartReason,
} from './clientSession';
export { CLIENT_SESSION_SCHEMA, MAX_INDEX, STORAGE_MECHANISMS } from './entity';
export type { ClientSessionEntity, SelfDescribingJson, StorageMechanism } from './entity';
export type { Disposable, Event } from './event';
export { silentLogger } from './logger';
export type { Logger } from './logger';
export { InMemorySessionStore } from './sessionStore';
export type { InMemorySessionStoreOptions, SessionStore } from './sessionStore';
export { SESSION_RECORD_VERSION } from './sessionRecord';
export type { SessionRecord, StoredSession } from './sessionRecord';
