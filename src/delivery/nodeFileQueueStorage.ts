/**
 * A {@link QueueStorage} over a folder on the local disk, through Node's `fs`, for Node hosts.
 * Node's modules are looked up at run time, so a browser bundle that includes this file has
 * nothing to resolve; {@link nodeFileQueueStorage} returns `undefined` there.
 */
import type * as NodeFs from 'node:fs/promises';
import type * as NodePath from 'node:path';
import type { QueueStorage } from './queueStorage';

/**
 * The queue folder `folder` (an absolute path) through Node's `fs`, or `undefined` where Node
 * is not available. Direct disk I/O keeps working while VS Code shuts an extension host down,
 * when `workspace.fs` calls may no longer be answered.
 */
export function nodeFileQueueStorage(folder: string): QueueStorage | undefined {
  const process = (globalThis as { process?: NodeJS.Process }).process;
  const getModule = process?.getBuiltinModule?.bind(process);
  if (getModule === undefined) {
    return undefined;
  }
  const fs = getModule('node:fs/promises') as typeof NodeFs;
  const path = getModule('node:path') as typeof NodePath;
  return new NodeFileQueueStorage(folder, fs, path);
}

class NodeFileQueueStorage implements QueueStorage {
  #folderCreated = false;

  constructor(
    private readonly folder: string,
    private readonly fs: typeof NodeFs,
    private readonly path: typeof NodePath,
  ) {}

  async list(): Promise<string[]> {
    try {
      const entries = await this.fs.readdir(this.folder, { withFileTypes: true });
      return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    } catch (error) {
      if (isNotFound(error)) {
        return [];
      }
      throw error;
    }
  }

  async read(name: string): Promise<string | undefined> {
    try {
      return await this.fs.readFile(this.#file(name), 'utf8');
    } catch (error) {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  }

  async write(name: string, contents: string): Promise<void> {
    if (!this.#folderCreated) {
      await this.fs.mkdir(this.folder, { recursive: true });
      this.#folderCreated = true;
    }
    await this.fs.writeFile(this.#file(name), contents);
  }

  async delete(name: string): Promise<void> {
    try {
      await this.fs.unlink(this.#file(name));
    } catch (error) {
      if (!isNotFound(error)) {
        throw error;
      }
    }
  }

  async rename(from: string, to: string): Promise<boolean> {
    // Names are unique to their owner, so `to` never exists; of two windows renaming the same
    // file, the second finds it gone.
    try {
      await this.fs.rename(this.#file(from), this.#file(to));
      return true;
    } catch (error) {
      if (isNotFound(error)) {
        return false;
      }
      throw error;
    }
  }

  #file(name: string): string {
    return this.path.join(this.folder, name);
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ENOENT';
}
