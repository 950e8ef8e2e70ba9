// A stand-in for the `vscode` module, for benchmarks that run extension code in plain Node.
//
// Its one part that matters for timing is `env.createTelemetryLogger`: it does on each event
// what VS Code's extension-host telemetry logger does before it calls the sender (the enabled
// check, the `publisher.name/` prefix on the event name, a copy of the properties with the
// additional and built-in common properties mixed in), so that our sender and
// @vscode/extension-telemetry pay the same toll. It does not do VS Code's cleaning of the
// properties (the regular expressions that strip paths, emails and tokens); that costs both
// the same, and the issue's reference figures were taken without it.
//
// Everything else is the least that activation code needs: registrations return disposables,
// dialogs resolve to `undefined`, settings return their defaults. A member the stand-in lacks
// is recorded in `missing` (and returns a no-op), so a benchmark can say what it did not model.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A disposable that does nothing, as returned by every registration here. */
function noopDisposable() {
  return { dispose() {} };
}

/** VS Code's EventEmitter, in short: listeners in order, each call isolated. */
export class EventEmitter {
  #listeners = [];
  event = (listener, thisArgs) => {
    const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
    this.#listeners.push(bound);
    return {
      dispose: () => {
        this.#listeners = this.#listeners.filter((l) => l !== bound);
      },
    };
  };
  fire(value) {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch {
        // VS Code reports a listener's error and goes on; so does the stand-in.
      }
    }
  }
  dispose() {
    this.#listeners = [];
  }
}

class Disposable {
  #callOnDispose;
  constructor(callOnDispose) {
    this.#callOnDispose = callOnDispose;
  }
  static from(...disposables) {
    return new Disposable(() => disposables.forEach((d) => d?.dispose?.()));
  }
  dispose() {
    this.#callOnDispose?.();
    this.#callOnDispose = undefined;
  }
}

class FileSystemError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
  static FileNotFound(uri) {
    return new FileSystemError(`not found: ${uri}`, 'FileNotFound');
  }
  static FileExists(uri) {
    return new FileSystemError(`exists: ${uri}`, 'FileExists');
  }
}

const FileType = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 };

/**
 * `workspace.fs` in memory: files by path, folders implied by their files. Enough for code
 * that keeps small files under `globalStorageUri` (our queue), with VS Code's errors.
 */
function createInMemoryFileSystem() {
  const files = new Map();
  const key = (uri) => uri.path.replace(/\/+$/, '');
  return {
    async readFile(uri) {
      if (!files.has(key(uri))) {
        throw FileSystemError.FileNotFound(uri);
      }
      return files.get(key(uri));
    },
    async writeFile(uri, content) {
      files.set(key(uri), content);
    },
    async delete(uri) {
      if (!files.delete(key(uri))) {
        throw FileSystemError.FileNotFound(uri);
      }
    },
    async rename(from, to, options) {
      if (!files.has(key(from))) {
        throw FileSystemError.FileNotFound(from);
      }
      if (files.has(key(to)) && !options?.overwrite) {
        throw FileSystemError.FileExists(to);
      }
      files.set(key(to), files.get(key(from)));
      files.delete(key(from));
    },
    async readDirectory(uri) {
      const prefix = `${key(uri)}/`;
      const names = [...files.keys()]
        .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
        .map((path) => [path.slice(prefix.length), FileType.File]);
      if (names.length === 0) {
        throw FileSystemError.FileNotFound(uri);
      }
      return names;
    },
    async createDirectory() {},
    async stat(uri) {
      if (!files.has(key(uri))) {
        throw FileSystemError.FileNotFound(uri);
      }
      return { type: FileType.File, size: files.get(key(uri)).length, ctime: 0, mtime: 0 };
    },
  };
}

class TelemetryTrustedValue {
  constructor(value) {
    this.value = value;
  }
}

/** The extension whose telemetry the stand-in logger reports (ours; any would do). */
export const STAND_IN_EXTENSION = Object.freeze({
  publisher: 'vscode-client-session',
  name: 'vscode-client-session',
  id: 'vscode-client-session.vscode-client-session',
  version: '0.1.0',
});

/**
 * A TelemetryLogger that calls `sender` as VS Code's extension host does: nothing when usage
 * telemetry is off, else `sendEventData('publisher.name/' + eventName, data)` with the common
 * properties mixed into a copy of `data.properties` (or of `data` when it has none).
 */
export function createTelemetryLoggerLike(sender, options = {}, host = {}) {
  if (typeof sender?.sendEventData !== 'function' || typeof sender?.sendErrorData !== 'function') {
    throw new TypeError(
      'createTelemetryLogger needs a sender with sendEventData and sendErrorData',
    );
  }
  const extension = host.extension ?? STAND_IN_EXTENSION;
  const prefix = extension.publisher === 'vscode' ? `${extension.name}/` : `${extension.id}/`;
  const builtInCommonProperties = {
    'common.extname': extension.id,
    'common.extversion': extension.version,
    'common.vscodemachineid':
      host.machineId ?? 'b1e5a9d0c3f24e7d8a6b0f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e',
    'common.vscodesessionid': host.sessionId ?? '6a2f0c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b1733230000000',
    'common.vscodeversion': '1.100.0',
    'common.isnewappinstall': false,
    'common.product': 'desktop',
    'common.uikind': 'desktop',
    'common.remotename': 'none',
  };
  const additional = options.additionalCommonProperties;
  const ignoreBuiltIn = options.ignoreBuiltInCommonProperties === true;
  const enablements = { usage: host.usageEnabled ?? true, errors: host.errorsEnabled ?? true };
  const onDidChangeEnableStates = new EventEmitter();
  let live = sender;

  const mixInCommonProperties = (data) => {
    // VS Code's cleaning returns a new object; the copy stands in for it, minus the cleaning.
    let properties = { ...(data.properties ?? data) };
    if (additional) {
      properties = Object.assign(properties, additional);
    }
    if (!ignoreBuiltIn) {
      properties = Object.assign(properties, builtInCommonProperties);
    }
    if (data.properties) {
      data.properties = properties;
      return data;
    }
    return properties;
  };
  const logEvent = (eventName, data) => {
    if (live === undefined) {
      return;
    }
    live.sendEventData(prefix + eventName, mixInCommonProperties(data ?? {}));
  };

  const logger = {
    get isUsageEnabled() {
      return enablements.usage;
    },
    get isErrorsEnabled() {
      return enablements.errors;
    },
    onDidChangeEnableStates: onDidChangeEnableStates.event,
    logUsage(eventName, data) {
      if (enablements.usage) {
        logEvent(eventName, data);
      }
    },
    logError(eventNameOrError, data) {
      if (!enablements.errors || live === undefined) {
        return;
      }
      if (typeof eventNameOrError === 'string') {
        logEvent(eventNameOrError, data);
      } else {
        live.sendErrorData(eventNameOrError, data);
      }
    },
    dispose() {
      const flushing = live?.flush?.();
      live = undefined;
      return flushing;
    },
    /** Not VS Code API: lets a benchmark turn telemetry off or on, as the user would. */
    setEnablements(usage, errors = usage) {
      enablements.usage = usage;
      enablements.errors = errors;
      onDidChangeEnableStates.fire(logger);
    },
  };
  return logger;
}

function makeOutputChannel(name) {
  return {
    name,
    logLevel: 2,
    onDidChangeLogLevel: () => noopDisposable(),
    trace() {},
    debug() {},
    info() {},
    warn() {},
    error() {},
    append() {},
    appendLine() {},
    replace() {},
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  };
}

function makeUri(scheme, path, query = '', fragment = '', authority = '') {
  const uri = {
    scheme,
    authority,
    path,
    query,
    fragment,
    fsPath: path,
    with: (change) =>
      makeUri(
        change.scheme ?? scheme,
        change.path ?? path,
        change.query ?? query,
        change.fragment ?? fragment,
        change.authority ?? authority,
      ),
    toString: () => `${scheme}:${authority ? `//${authority}` : ''}${path}`,
    toJSON: () => ({ scheme, authority, path, query, fragment }),
  };
  return uri;
}

const Uri = {
  parse(value) {
    const match = /^([a-z][\w+.-]*):(?:\/\/([^/]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(value);
    if (!match) {
      throw new TypeError(`not a URI: ${value}`);
    }
    return makeUri(match[1], match[3], match[4] ?? '', match[5] ?? '', match[2] ?? '');
  },
  file: (path) => makeUri('file', path),
  from: (parts) => makeUri(parts.scheme, parts.path ?? '', parts.query, parts.fragment),
  joinPath: (base, ...segments) => base.with({ path: [base.path, ...segments].join('/') }),
};

/**
 * A fresh `vscode` stand-in. `missing` lists every member that was asked for but is not
 * modelled (each returned a no-op), so a benchmark result can name what it did not cover.
 */
export function createVscodeStandIn(host = {}) {
  const missing = new Set();
  const settings = host.settings ?? {};
  const onDidChangeTelemetryEnabled = new EventEmitter();
  const onDidChangeConfiguration = new EventEmitter();
  const onDidChangeWindowState = new EventEmitter();

  const api = {
    // esbuild's CommonJS interop asks for it; VS Code's module has none.
    __esModule: undefined,
    EventEmitter,
    Disposable,
    TelemetryTrustedValue,
    FileSystemError,
    FileType,
    Uri,
    UIKind: { Desktop: 1, Web: 2 },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    env: {
      appName: 'Visual Studio Code',
      appHost: 'desktop',
      uriScheme: 'vscode',
      language: 'en',
      machineId: 'b1e5a9d0c3f24e7d8a6b0f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e',
      sessionId: '6a2f0c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b1733230000000',
      remoteName: undefined,
      uiKind: 1,
      isNewAppInstall: false,
      isTelemetryEnabled: host.telemetryEnabled ?? true,
      onDidChangeTelemetryEnabled: onDidChangeTelemetryEnabled.event,
      createTelemetryLogger: (sender, options) => createTelemetryLoggerLike(sender, options, host),
    },
    window: {
      state: { focused: true, active: true },
      onDidChangeWindowState: onDidChangeWindowState.event,
      createOutputChannel: (name) => makeOutputChannel(name),
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
      showErrorMessage: async () => undefined,
      showInputBox: async () => undefined,
      showTextDocument: async () => undefined,
    },
    commands: {
      registerCommand: () => noopDisposable(),
      executeCommand: async () => undefined,
    },
    workspace: {
      getConfiguration: (section) => ({
        get: (key, fallback) => {
          const full = section ? `${section}.${key}` : key;
          return full in settings ? settings[full] : fallback;
        },
        has: (key) => (section ? `${section}.${key}` : key) in settings,
        inspect: () => undefined,
        update: async () => undefined,
      }),
      onDidChangeConfiguration: onDidChangeConfiguration.event,
      onDidOpenTextDocument: () => noopDisposable(),
      onDidCloseTextDocument: () => noopDisposable(),
      fs: createInMemoryFileSystem(),
      registerTextDocumentContentProvider: () => noopDisposable(),
      openTextDocument: async () => ({}),
      textDocuments: [],
    },
  };
  return { api: withMissingRecorded(api, missing, 'vscode'), missing };
}

/** Wraps `target` so that an unknown member is recorded and answers with a no-op. */
function withMissingRecorded(target, missing, path) {
  return new Proxy(target, {
    get(object, key) {
      if (typeof key === 'symbol' || key in object || key === 'then' || key === 'default') {
        const value = object[key];
        const plain =
          value !== null &&
          typeof value === 'object' &&
          Object.getPrototypeOf(value) === Object.prototype;
        return plain ? withMissingRecorded(value, missing, `${path}.${String(key)}`) : value;
      }
      missing.add(`${path}.${String(key)}`);
      return () => noopDisposable();
    },
  });
}

let installed;

/**
 * Makes `require('vscode')` return `api` in this process (extension code and
 * @vscode/extension-telemetry are CommonJS and ask for it by that name). Returns a function
 * that swaps in another stand-in, for measurements that need a fresh one.
 */
export function installVscodeModule(api) {
  const Module = require('node:module');
  if (installed === undefined) {
    const originalLoad = Module._load;
    installed = { api };
    Module._load = function load(request, parent, isMain) {
      if (request === 'vscode') {
        return installed.api;
      }
      return originalLoad.call(this, request, parent, isMain);
    };
  }
  installed.api = api;
}

/** A Memento in memory that counts `update` calls (each is a storage write in VS Code). */
export class CountingMemento {
  #values = new Map();
  updates = 0;
  keys() {
    return [...this.#values.keys()];
  }
  get(key, fallback) {
    return this.#values.has(key) ? this.#values.get(key) : fallback;
  }
  update(key, value) {
    this.updates++;
    if (value === undefined) {
      this.#values.delete(key);
    } else {
      // VS Code stores JSON: what is read back is a copy, never the caller's object.
      this.#values.set(key, JSON.parse(JSON.stringify(value)));
    }
    return Promise.resolve();
  }
  setKeysForSync() {}
}

/**
 * An ExtensionContext with in-memory state, enough for `activate`. Its storage URIs are
 * `file:` URIs under `storageDir`, which code may really write to (our binding keeps its
 * queue files there through Node's fs): give a scratch folder and remove it afterwards.
 */
export function createExtensionContext(storageDir, extensionPath = '/bench/extension') {
  if (typeof storageDir !== 'string' || storageDir === '') {
    throw new TypeError('createExtensionContext needs a scratch folder for its storage URIs');
  }
  const extensionUri = Uri.file(extensionPath);
  const storage = Uri.file(`${storageDir}/globalStorage`);
  return {
    subscriptions: [],
    globalState: new CountingMemento(),
    workspaceState: new CountingMemento(),
    secrets: {
      get: async () => undefined,
      store: async () => undefined,
      delete: async () => undefined,
      onDidChange: () => noopDisposable(),
    },
    extensionUri,
    extensionPath,
    storageUri: Uri.file(`${storageDir}/workspaceStorage`),
    globalStorageUri: storage,
    logUri: Uri.file(`${storageDir}/logs`),
    storagePath: `${storageDir}/workspaceStorage`,
    globalStoragePath: storage.path,
    logPath: `${storageDir}/logs`,
    extensionMode: 1,
    extension: {
      id: STAND_IN_EXTENSION.id,
      extensionUri,
      extensionPath,
      isActive: true,
      packageJSON: {
        name: STAND_IN_EXTENSION.name,
        publisher: STAND_IN_EXTENSION.publisher,
        version: STAND_IN_EXTENSION.version,
      },
      extensionKind: 1,
      exports: undefined,
      activate: async () => undefined,
    },
    environmentVariableCollection: { replace() {}, append() {}, prepend() {}, clear() {} },
    asAbsolutePath: (relative) => `${extensionPath}/${relative}`,
    languageModelAccessInformation: undefined,
  };
}
