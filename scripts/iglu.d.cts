/** Problems found validating `data` against the Iglu schema `uri`; empty when valid. */
export function validateData(uri: string, data: unknown): string[];
/** Problems found validating a `{ schema, data }` against its own schema; empty when valid. */
export function validateSelfDescribing(json: unknown): string[];
/** Folder of the project's copies of the Iglu schemas. */
export const IGLU_ROOT: string;
