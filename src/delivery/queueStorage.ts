/**
 * Where the durable event queue keeps its files: a flat folder of small text files, read and
 * replaced whole. In VS Code this is a folder under `ExtensionContext.globalStorageUri`,
 * reached through `workspace.fs` (so it works in the web host too); every window of a profile
 * sees the same folder, which is how a window delivers what a closed or crashed one queued.
 *
 * Every method may reject; the queue logs the fault and keeps the events in memory.
 */
export interface QueueStorage {
  /** Names of the files in the folder (no sub-folders); empty when the folder does not exist. */
  list(): Promise<string[]>;
  /** The file's text, or `undefined` when it does not exist. */
  read(name: string): Promise<string | undefined>;
  /** Creates or replaces the file (creating the folder if needed). */
  write(name: string, contents: string): Promise<void>;
  /** Deletes the file; deleting a missing file is not an error. */
  delete(name: string): Promise<void>;
  /**
   * Renames `from` to `to`, which must not exist. Resolves `false` when `from` is gone (for
   * instance because another window renamed it first): that is how windows claim files.
   */
  rename(from: string, to: string): Promise<boolean>;
}

/**
 * A {@link QueueStorage} in memory: events survive a restart of the tracker within the
 * process (two trackers given one instance behave as two windows) but not of the process.
 * The default when no storage is given, and the test double.
 */
export class InMemoryQueueStorage implements QueueStorage {
  readonly #files = new Map<string, string>();

  async list(): Promise<string[]> {
    return [...this.#files.keys()];
  }

  async read(name: string): Promise<string | undefined> {
    return this.#files.get(name);
  }

  async write(name: string, contents: string): Promise<void> {
    this.#files.set(name, contents);
  }

  async delete(name: string): Promise<void> {
    this.#files.delete(name);
  }

  async rename(from: string, to: string): Promise<boolean> {
    const contents = this.#files.get(from);
    if (contents === undefined) {
      return false;
    }
    if (this.#files.has(to)) {
      throw new Error(`cannot rename ${from} to ${to}: it exists`);
    }
    this.#files.delete(from);
    this.#files.set(to, contents);
    return true;
  }
}
