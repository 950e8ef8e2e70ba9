/** Problems of `data` against the schema `uri` (schemas/own, then schemas/iglu); empty = valid. */
export function validateSchemaData(uri: string, data: unknown): string[];
/** Problems of a `{schema, data}` against its own schema; empty when valid. */
export function validateSelfDescribing(json: unknown): string[];
/** Validates a parsed tp2 POST body, envelopes and every entity and event inside. */
export function validatePayloadBody(body: unknown): {
  problems: string[];
  events: Array<{ payload: Record<string, string>; problems: string[] }>;
};
export const PAYLOAD_DATA_SCHEMA: string;
export const OWN_ROOT: string | undefined;
