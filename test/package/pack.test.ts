/**
 * The published package as an extension author gets it: `npm pack`, install the tarball
 * into a throwaway extension, type-check the author's code against the shipped `.d.ts`,
 * bundle it with esbuild as authors do, and activate it against a stand-in `vscode` and
 * context in a separate Node process.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateData } from '../../scripts/iglu.cjs';
import { CLIENT_SESSION_SCHEMA } from '../../src/core/entity';

const root = path.resolve(__dirname, '..', '..', '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

/** What `npm pack` needs to build and pack the library. */
const PACKED_INPUTS = [
  'package.json',
  'README.md',
  'esbuild.mjs',
  'tsconfig.json',
  'tsconfig.lib.json',
  'src',
  'schemas',
];

/** The author's extension: the README's example, nearly word for word. */
const AUTHOR_EXTENSION = `
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { createClientSession, type ClientSessionEntity } from 'vscode-client-session';

export function activate(context: vscode.ExtensionContext) {
  const session = createClientSession(context, { namespace: 'my-extension' });
  const entities: ClientSessionEntity[] = [];
  for (let i = 0; i < 3; i++) {
    entities.push(session.update(randomUUID(), Date.now()));
  }
  return entities;
}
`;

/** A stand-in for the `vscode` module: just what createClientSession touches. */
const FAKE_VSCODE = `
module.exports = {
  UIKind: { Desktop: 1, Web: 2 },
  env: { uiKind: 1 },
  window: {
    state: { focused: true, active: true },
    onDidChangeWindowState: () => ({ dispose() {} }),
  },
};
`;

/** Runs the bundle's activate against a Memento-like context and reports what it saw. */
const RUNNER = `
const values = new Map();
const context = {
  subscriptions: [],
  globalState: {
    keys: () => [...values.keys()],
    get: (key) => values.get(key),
    update: async (key, value) => { values.set(key, value); },
  },
};
const extension = require(process.argv[2]);
const entities = extension.activate(context);
(async () => {
  for (const s of context.subscriptions) await s.dispose();
  console.log(JSON.stringify({ entities, stored: Object.fromEntries(values) }));
})();
`;

describe('the packed library in a throwaway extension', () => {
  let work: string;
  let tarball: string;

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'client-session-pack-'));
    // Pack a copy, so that `prepack` (the production library build) runs for real without
    // rebuilding the dist/ that other tests are reading.
    const copy = path.join(work, 'repo');
    mkdirSync(copy);
    for (const entry of PACKED_INPUTS) {
      cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: copy,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    tarball = path.join(work, JSON.parse(packed)[0].filename);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('ships the library, its types and the schemas; no source, wasm or native code', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const expected of [
      'package/package.json',
      'package/dist/lib/index.js',
      'package/dist/lib/index.browser.js',
      'package/dist/lib/index.d.ts',
      'package/dist/lib/core.js',
      'package/schemas/iglu/com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2',
    ]) {
      assert.ok(listing.includes(expected), `${expected} is missing from the package`);
    }
    const unwanted = listing.filter(
      (file) => /\.(ts|wasm|node)$/.test(file) && !file.endsWith('.d.ts'),
    );
    assert.deepEqual(unwanted, []);
  });

  it('installs, type-checks, bundles and activates as the README says', () => {
    const extension = path.join(work, 'author-extension');
    mkdirSync(path.join(extension, 'src'), { recursive: true });
    writeFileSync(
      path.join(extension, 'package.json'),
      JSON.stringify({ name: 'author-extension', version: '0.0.0', private: true }),
    );
    writeFileSync(path.join(extension, 'src', 'extension.ts'), AUTHOR_EXTENSION);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: extension,
      stdio: ['ignore', 'ignore', 'inherit'],
    });

    // The author's code type-checks against the shipped declarations, strictly.
    writeFileSync(
      path.join(extension, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          typeRoots: [path.join(root, 'node_modules', '@types')],
          types: ['node', 'vscode'],
        },
        include: ['src'],
      }),
    );
    const typecheck = spawnSync(bin('tsc'), ['-p', extension], { encoding: 'utf8' });
    assert.equal(typecheck.status, 0, typecheck.stdout + typecheck.stderr);

    execFileSync(
      bin('esbuild'),
      [
        'src/extension.ts',
        '--bundle',
        '--platform=node',
        '--format=cjs',
        '--external:vscode',
        '--outfile=dist/extension.js',
      ],
      { cwd: extension, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const bundle = readFileSync(path.join(extension, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(bundle, /WebAssembly\./);

    const fakeModules = path.join(work, 'fake-modules');
    mkdirSync(path.join(fakeModules, 'vscode'), { recursive: true });
    writeFileSync(path.join(fakeModules, 'vscode', 'index.js'), FAKE_VSCODE);
    writeFileSync(path.join(work, 'run.js'), RUNNER);
    const output = execFileSync(
      process.execPath,
      [path.join(work, 'run.js'), path.join(extension, 'dist', 'extension.js')],
      { env: { ...process.env, NODE_PATH: fakeModules }, encoding: 'utf8' },
    );
    const { entities, stored } = JSON.parse(output);

    assert.equal(entities.length, 3);
    for (const entity of entities) {
      assert.deepEqual(validateData(CLIENT_SESSION_SCHEMA, entity), []);
    }
    assert.deepEqual(
      entities.map((e: { eventIndex: number }) => e.eventIndex),
      [1, 2, 3],
    );
    assert.equal(entities[0].storageMechanism, 'SQLITE');
    const record = JSON.parse(stored['clientSession.session.my-extension']);
    assert.equal(record.session.sessionId, entities[0].sessionId);
    assert.equal(record.session.eventIndex, 3, 'flushed to globalState on dispose');
  });
});
