// Validates what a tracker POSTs to /com.snowplowanalytics.snowplow/tp2, as a Snowplow pipeline
// would: the payload_data 1-0-4 body, each event's contexts and self-describing event envelopes,
// and every entity and event inside them against its own schema. Schemas come from the project's
// copies: Snowplow's in schemas/iglu (through scripts/iglu.cjs) and ours in schemas/own.
'use strict';

const iglu = require('../iglu.cjs');

const PAYLOAD_DATA_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4';
const CLIENT_SESSION_PREFIX = 'iglu:com.snowplowanalytics.snowplow/client_session/';

/** Problems of `data` against the schema `uri` (ours or Snowplow's); empty when valid. */
function validateSchemaData(uri, data) {
  try {
    return iglu.validateData(uri, data);
  } catch (error) {
    return [error.message];
  }
}

/** Problems of a `{schema, data}` against its own schema; empty when valid. */
function validateSelfDescribing(json) {
  if (typeof json !== 'object' || json === null || typeof json.schema !== 'string') {
    return [`not a self-describing JSON: ${JSON.stringify(json)}`];
  }
  return validateSchemaData(json.schema, json.data);
}

function decodeBase64Url(text) {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

/** Parses the JSON field `plain` or the base64url field `encoded` of an event, if present. */
function readJsonField(event, plain, encoded, problems) {
  const raw =
    event[plain] !== undefined
      ? event[plain]
      : event[encoded] !== undefined
        ? decodeBase64Url(event[encoded])
        : undefined;
  if (raw === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    problems.push(`${plain}/${encoded} is not JSON: ${error.message}`);
    return undefined;
  }
}

/**
 * What a person reading the collector's output wants to know about one event: its name and
 * its session. `sessionId` and friends are undefined when it carries no client_session.
 */
function summarize(event, unstruct, contexts) {
  let name = event.e;
  if (event.e === 'ue' && unstruct && unstruct.data && typeof unstruct.data.schema === 'string') {
    const match = iglu.IGLU_URI.exec(unstruct.data.schema);
    name = match ? match[2] : unstruct.data.schema;
    const inner = unstruct.data.data;
    if (inner && typeof inner.name === 'string') {
      name += ` "${inner.name}"`;
    }
  } else if (event.e === 'se') {
    name = `se ${event.se_ca}/${event.se_ac}`;
  }
  const entities = contexts && Array.isArray(contexts.data) ? contexts.data : [];
  const session = entities.find(
    (entity) =>
      typeof entity.schema === 'string' && entity.schema.startsWith(CLIENT_SESSION_PREFIX),
  );
  return {
    eid: event.eid,
    name,
    sessionId: session?.data?.sessionId,
    sessionIndex: session?.data?.sessionIndex,
    eventIndex: session?.data?.eventIndex,
    entities: entities.map((entity) => entity.schema),
  };
}

/**
 * Validates a parsed tp2 POST body. Returns `problems` (empty when everything is valid) and,
 * for each event, its raw payload, parsed envelopes and a summary for printing.
 */
function validatePayloadBody(body) {
  const problems = validateSelfDescribing(body).map((p) => `body: ${p}`);
  if (
    typeof body !== 'object' ||
    body === null ||
    body.schema !== PAYLOAD_DATA_SCHEMA ||
    !Array.isArray(body.data)
  ) {
    if (body && body.schema !== PAYLOAD_DATA_SCHEMA) {
      problems.push(`body: schema must be ${PAYLOAD_DATA_SCHEMA}`);
    }
    return { problems, events: [] };
  }
  const events = body.data.map((payload, index) => {
    const eventProblems = [];
    const contexts = readJsonField(payload, 'co', 'cx', eventProblems);
    if (contexts !== undefined) {
      eventProblems.push(...validateSelfDescribing(contexts));
      for (const entity of Array.isArray(contexts.data) ? contexts.data : []) {
        eventProblems.push(...validateSelfDescribing(entity));
      }
    }
    const unstruct = readJsonField(payload, 'ue_pr', 'ue_px', eventProblems);
    if (unstruct !== undefined) {
      eventProblems.push(...validateSelfDescribing(unstruct));
      if (unstruct && typeof unstruct.data === 'object') {
        eventProblems.push(...validateSelfDescribing(unstruct.data));
      }
    } else if (payload && payload.e === 'ue') {
      eventProblems.push('a self-describing event (e=ue) needs ue_pr or ue_px');
    }
    problems.push(...eventProblems.map((p) => `event ${index}: ${p}`));
    return {
      payload,
      contexts,
      unstruct,
      problems: eventProblems,
      summary: summarize(payload || {}, unstruct, contexts),
    };
  });
  return { problems, events };
}

module.exports = {
  PAYLOAD_DATA_SCHEMA,
  OWN_ROOT: iglu.OWN_ROOT,
  validateSchemaData,
  validateSelfDescribing,
  validatePayloadBody,
};
