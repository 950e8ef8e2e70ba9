/** Problems found validating `data` against the Iglu schema `uri`; empty when valid. */
export function validateData(uri: string, data: unknown): string[];
/** Problems found validating a `{ schema, data }` against its own schema; empty when valid. */
export function validateSelfDescribing(json: unknown): string[];
/** Folder of the project's copies of Snowplow's Iglu schemas. */
export const IGLU_ROOT: string;
/** Folder of the project's own schemas. */
export const OWN_ROOT: string;
/** `iglu:vendor/name/jsonschema/x-y-z`, capturing vendor, name and version. */
export const IGLU_URI: RegExp;
