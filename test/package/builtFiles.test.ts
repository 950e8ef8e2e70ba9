/**
 * What ships must run in every extension host: plain JavaScript, no WebAssembly, no native
 * modules, and nothing but `vscode` required by the web bundle. Reads the files that
 * `node esbuild.mjs` built (the test command builds before it tests).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function requiredModules(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
}

describe('built files', () => {
  const dist = path.join(root, 'dist');
  const files = readdirSync(dist, { recursive: true }).map((f) => path.join(dist, String(f)));

  it('has the Node and web entries that package.json names', () => {
    assert.ok(existsSync(path.join(root, manifest.main)), manifest.main);
    assert.ok(existsSync(path.join(root, manifest.browser)), manifest.browser);
  });

  it('contains no WebAssembly and no native modules', () => {
    assert.deepEqual(
      files.filter((f) => /\.(wasm|node)$/.test(f)),
      [],
    );
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /WebAssembly\.(instantiate|compile|Module)/, file);
      assert.doesNotMatch(text, /\.node["']\)/, file);
    }
  });

  it('requires nothing but vscode in the web extension', () => {
    assert.deepEqual(requiredModules(path.join(root, manifest.browser)), ['vscode']);
  });

  it('requires only vscode and Node built-ins in the Node extension', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const foreign = requiredModules(path.join(root, manifest.main)).filter(
      (m) => m !== 'vscode' && !builtins.has(m),
    );
    assert.deepEqual(foreign, []);
  });
});
