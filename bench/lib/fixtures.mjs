// The one event every contender tracks, so that all of them do the same work: the same name,
// the same properties, and the same client_session entity attached (taken from a real
// ClientSession once, and checked against the schema).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { validateData } = require('../../scripts/iglu.cjs');

export const CLIENT_SESSION_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2';

/** The event's name, as an extension would log it (before the logger's extension-id prefix). */
export const EVENT_NAME = 'commandRun';

/** Its properties: strings, as VS Code telemetry properties are. */
export const EVENT_PROPERTIES = Object.freeze({
  command: 'clientSession.trackEvent',
  outcome: 'ok',
  durationMs: '12',
});

/**
 * The self-describing event the Snowplow trackers are given for it: the project's own
 * telemetry_event schema (schemas/own), which is what our delivery maps a logged event to.
 */
export const SELF_DESCRIBING_EVENT = Object.freeze({
  schema: 'iglu:io.github.vscode-client-session/telemetry_event/jsonschema/1-0-0',
  data: { name: EVENT_NAME, data: { ...EVENT_PROPERTIES } },
});

/**
 * A `client_session` entity as our session produces it mid-session, wrapped as a context.
 * @param ours the bundled core (`ClientSession`, `InMemorySessionStore`)
 */
export function sessionEntityJson(ours) {
  const session = new ours.ClientSession({ store: new ours.InMemorySessionStore() });
  session.update('0d8c7c6c-54e4-4d2a-9a51-2f7bd0f3c1a2', Date.now());
  const entity = session.update('6f1e5b7a-2c3d-4e8f-9a0b-1c2d3e4f5a6b', Date.now());
  void session.dispose();
  const problems = validateData(CLIENT_SESSION_SCHEMA, entity);
  if (problems.length > 0) {
    throw new Error(`the session entity is not valid: ${problems.join('; ')}`);
  }
  return Object.freeze({ schema: CLIENT_SESSION_SCHEMA, data: Object.freeze({ ...entity }) });
}
