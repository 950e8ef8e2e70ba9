/**
 * Checks what a user types into Track Event. No `vscode` import, so it is unit-tested in
 * plain Node.
 */

/** The longest event name accepted, in characters. */
export const MAX_EVENT_NAME_LENGTH = 128;

/** Parses the properties typed for Track Event: `{ value }` or `{ error }` in words. */
export function parseProperties(text: string): { value?: Record<string, unknown>; error?: string } {
  if (text.trim() === '') {
    return { value: {} };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'The properties must be a JSON object, like {"key": "value"}' };
  }
  return { value: value as Record<string, unknown> };
}

/** Why `name` cannot be an event name, or `undefined` if it can. */
export function checkEventName(name: string): string | undefined {
  if (name.trim() === '') {
    return 'Give the event a name';
  }
  if (name.length > MAX_EVENT_NAME_LENGTH) {
    return `The name is longer than ${MAX_EVENT_NAME_LENGTH} characters`;
  }
  return undefined;
}
