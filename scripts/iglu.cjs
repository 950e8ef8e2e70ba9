// Validates self-describing JSON against the project's own unmodified copies of Snowplow's
// Iglu schemas (schemas/iglu) and the project's own schemas (schemas/own), with draft-04
// semantics and formats checked, as a Snowplow pipeline would. Used by the tests and by the
// local collector; not shipped.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');

/** The repository's schemas folder; found upwards, as this file also runs from out/scripts. */
function findSchemasRoot() {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schemas', 'iglu');
    if (fs.existsSync(candidate)) {
      return path.dirname(candidate);
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no schemas/iglu folder above ${__dirname}`);
    }
  }
}

const SCHEMAS_ROOT = findSchemasRoot();
/** Snowplow's schemas, unmodified copies. */
const IGLU_ROOT = path.join(SCHEMAS_ROOT, 'iglu');
/** The project's own schemas, for events of its default mapping. */
const OWN_ROOT = path.join(SCHEMAS_ROOT, 'own');
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
    const file = [IGLU_ROOT, OWN_ROOT]
      .map((root) => path.join(root, vendor, name, 'jsonschema', version))
      .find((candidate) => fs.existsSync(candidate));
    if (file === undefined) {
      throw new Error(`no copy of ${uri} in schemas/iglu or schemas/own`);
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

module.exports = { validateData, validateSelfDescribing, IGLU_ROOT, OWN_ROOT, IGLU_URI };
