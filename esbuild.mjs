// Builds everything that ships:
//   dist/extension.js        the extension for the Node extension host (package.json `main`)
//   dist/web/extension.js    the same for the web extension host (package.json `browser`)
//   dist/lib/index.js        the library for extension authors, for Node
//   dist/lib/index.browser.js  the library for web extensions
//   dist/lib/core.js, core.browser.js  its host-independent part (`vscode-client-session/core`)
//   dist/lib/**/*.d.ts       its types (tsc, declarations only)
//
// Flags: --production minifies and drops source maps; --watch rebuilds on change;
// --library-only builds just dist/lib (what `npm pack` ships).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const libraryOnly = process.argv.includes('--library-only');

/** Prints errors in the format of the `$esbuild-watch` problem matcher of VS Code tasks. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) {
          console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
      }
      console.log('[watch] build finished');
    });
  },
};

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  target: 'es2022',
  format: 'cjs',
  // `vscode` is provided by the extension host at run time.
  external: ['vscode'],
  logLevel: 'warning',
  legalComments: 'none',
  plugins: watch ? [problemMatcherPlugin] : [],
  // Nothing we ship may contain WebAssembly or native code; fail the build if it tries.
  loader: { '.wasm': 'empty', '.node': 'empty' },
};

const extensionBuilds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    // ES module builds first: they let esbuild drop the unused parts of uuid and of
    // tracker-core's tslib, which their CommonJS builds do not (96 KB against 60 KB).
    mainFields: ['module', 'main'],
  },
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/web/extension.js',
    platform: 'browser',
    // Web extension hosts run in a worker: no Node globals, no Node built-ins.
    define: { global: 'globalThis' },
  },
];

// Each library entry for Node and for browsers; authors' own bundlers resolve our
// dependencies, so they are not copied into the library.
const libraryBuilds = [
  ['src/index.ts', 'dist/lib/index'],
  ['src/core/index.ts', 'dist/lib/core'],
].flatMap(([entry, out]) => [
  { ...common, entryPoints: [entry], outfile: `${out}.js`, platform: 'node', packages: 'external' },
  {
    ...common,
    entryPoints: [entry],
    outfile: `${out}.browser.js`,
    platform: 'browser',
    packages: 'external',
  },
]);

function emitDeclarations() {
  const tsc = spawnSync(
    process.execPath,
    [
      'node_modules/typescript/bin/tsc',
      '-p',
      'tsconfig.lib.json',
      '--emitDeclarationOnly',
      '--declaration',
      '--outDir',
      'dist/lib',
    ],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) {
    throw new Error('tsc could not emit the library declarations');
  }
}

const builds = libraryOnly ? libraryBuilds : [...extensionBuilds, ...libraryBuilds];

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  rmSync(libraryOnly ? 'dist/lib' : 'dist', { recursive: true, force: true });
  await Promise.all(builds.map((options) => esbuild.build(options)));
  emitDeclarations();
}
