// Validates self-describing JSON against the project's own unmodified copies of Snowplow's
// Iglu schemas (schemas/iglu), with draft-04 semantics and formats checked, as a Snowplow
// pipeline would. Used by the tests and by the local collector; not shipped.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');

/** schemas/iglu of the repository; found upwards, as this file also runs from out/scripts. */
function findIgluRoot() {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schemas', 'iglu');
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no schemas/iglu folder above ${__dirname}`);
    }
  }
}

const IGLU_ROOT = findIgluRoot();
const IGLU_URI = /^iglu:([a-zA-Z0-9._-]+)\/([a-zA-Z0-9_-]+)\/jsonschema\/(\d+-\d+-\d+)$/;

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
addFormats(ajv);
// Iglu's own keyword, naming the schema; it constrains nothing.
ajv.addKeyword('self');

const compiled = new Map();

/** The compiled validator of an `iglu:vendor/name/jsonschema/x-y-z` URI. */
function validatorFor(uri) {
  const match = IGLU_URI.exec(uri);
  if (!match) {
    throw new Error(`not an Iglu schema URI: ${JSON.stringify(uri)}`);
  }
  let validate = compiled.get(uri);
  if (!validate) {
    const [, vendor, name, version] = match;
    const file = path.join(IGLU_ROOT, vendor, name, 'jsonschema', version);
    if (!fs.existsSync(file)) {
      throw new Error(`no copy of ${uri} in schemas/iglu`);
    }
    const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
    // The meta-schema URI is Iglu's, which ajv does not know; the rest is plain draft 04.
    delete schema.$schema;
    validate = ajv.compile(schema);
    compiled.set(uri, validate);
  }
  return validate;
}

/**
 * Validates `data` against the schema `uri`. Returns a list of readable problems, empty
 * when valid.
 */
function validateData(uri, data) {
  const validate = validatorFor(uri);
  if (validate(data)) {
    return [];
  }
  return validate.errors.map((e) => `${uri}${e.instancePath || ''} ${e.message}`);
}

/** Validates a self-describing JSON `{ schema, data }` against its own schema. */
function validateSelfDescribing(json) {
  if (typeof json !== 'object' || json === null || typeof json.schema !== 'string') {
    return [`not a self-describing JSON: ${JSON.stringify(json)}`];
  }
  return validateData(json.schema, json.data);
}

module.exports = { validateData, validateSelfDescribing, IGLU_ROOT };
