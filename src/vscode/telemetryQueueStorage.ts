import * as vscode from 'vscode';
import type { QueueStorage } from '../delivery/queueStorage';

/**
 * The durable event queue's folder, through `vscode.workspace.fs`: real files on desktop and
 * in code-server, the browser's storage in the web host. Under `globalStorageUri` the folder
 * is shared by every window of the profile, which is what lets one window deliver what
 * another left behind.
 */
export class WorkspaceFsQueueStorage implements QueueStorage {
  readonly #folder: vscode.Uri;
  #folderCreated = false;

  constructor(folder: vscode.Uri) {
    this.#folder = folder;
  }

  async list(): Promise<string[]> {
    try {
      const entries = await vscode.workspace.fs.readDirectory(this.#folder);
      return entries.filter(([, type]) => type === vscode.FileType.File).map(([name]) => name);
    } catch (error) {
      if (isNotFound(error)) {
        return [];
      }
      throw error;
    }
  }

  async read(name: string): Promise<string | undefined> {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(this.#uri(name)));
    } catch (error) {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  }

  async write(name: string, contents: string): Promise<void> {
    if (!this.#folderCreated) {
      await vscode.workspace.fs.createDirectory(this.#folder);
      this.#folderCreated = true;
    }
    await vscode.workspace.fs.writeFile(this.#uri(name), new TextEncoder().encode(contents));
  }

  async delete(name: string): Promise<void> {
    try {
      await vscode.workspace.fs.delete(this.#uri(name), { useTrash: false });
    } catch (error) {
      if (!isNotFound(error)) {
        throw error;
      }
    }
  }

  async rename(from: string, to: string): Promise<boolean> {
    try {
      await vscode.workspace.fs.rename(this.#uri(from), this.#uri(to), { overwrite: false });
      return true;
    } catch (error) {
      if (isNotFound(error)) {
        return false;
      }
      throw error;
    }
  }

  #uri(name: string): vscode.Uri {
    return vscode.Uri.joinPath(this.#folder, name);
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
}
