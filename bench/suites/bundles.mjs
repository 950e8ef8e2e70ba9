// Bundle sizes: what we ship beside what the alternatives would add to an extension.
//
// Ours are the files `node esbuild.mjs --production` writes (dist/extension.js for the Node
// extension host, dist/web/extension.js for the web one). The build script empties dist/
// first, and dist/ belongs to whoever is building in this checkout, so the benchmark runs it in
// a scratch copy of the sources (bench/results/tmp/build, node_modules linked) instead; the
// activation benchmark loads the Node bundle from there too.
// The alternatives are bundled here by esbuild, minified, everything inlined but `vscode`,
// once for each host: for Node esbuild takes a package's `main` (tracker-core's is CommonJS
// and not tree-shaken), for the web its `module`/`browser` build.
// gzip is zlib's default level (6), as web servers and the Marketplace's packaging use.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot, scratchDir } from '../lib/ours.mjs';

const COPIED = [
  'esbuild.mjs',
  'package.json',
  'tsconfig.json',
  'tsconfig.lib.json',
  'src',
  'schemas',
];

function sizesOf(file) {
  const bytes = readFileSync(file);
  // Whether the bundle has our delivery in it yet (its POST path is a string it must hold).
  const hasDelivery = bytes.includes('com.snowplowanalytics.snowplow/tp2');
  return { minifiedBytes: bytes.length, gzipBytes: gzipSync(bytes).length, hasDelivery };
}

const BUNDLES = ['dist/extension.js', 'dist/web/extension.js'];

/**
 * Runs the production build in `root`. Resolves `undefined` when it succeeded, else the end
 * of its output. The build writes the extension bundles before the library's declarations,
 * so a failure in that last step still leaves the bundles, which `bundlesBuilt` checks.
 */
function runBuild(root) {
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status === 0) {
    return undefined;
  }
  return `${build.stderr}${build.stdout}`.trim().split('\n').slice(-2).join(' / ');
}

function bundlesBuilt(root) {
  return BUNDLES.every((file) => existsSync(path.join(root, file)));
}

function freshDir(root) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
}

/**
 * Builds ours in a scratch copy of the working tree. When that does not produce the bundles
 * (someone is half-way through an edit in this shared checkout), builds the last commit
 * instead (`git archive HEAD`, read-only for the repository). `source` says which, and any
 * failure of the build that still left the bundles. Resolves `{ root, source }` or
 * `{ missing }`.
 */
export function buildOursProduction() {
  if (!existsSync(path.join(repoRoot, 'src/extension/extension.ts'))) {
    return { missing: 'src/extension/extension.ts (the extension) not built yet' };
  }
  const root = path.join(scratchDir, 'build');
  freshDir(root);
  for (const entry of COPIED) {
    if (existsSync(path.join(repoRoot, entry))) {
      cpSync(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
    }
  }
  const workingTreeError = runBuild(root);
  if (bundlesBuilt(root)) {
    const caveat =
      workingTreeError === undefined ? '' : ` (the build then failed: ${workingTreeError})`;
    return { root, source: `the working tree${caveat}` };
  }
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).stdout.trim();
  freshDir(root);
  const archive = spawnSync('sh', ['-c', `git archive HEAD | tar -x -C '${root}'`], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const headError = archive.status === 0 ? runBuild(root) : archive.stderr.trim();
  if (bundlesBuilt(root)) {
    const caveat = headError === undefined ? '' : `; the build then failed: ${headError}`;
    return {
      root,
      source: `commit ${commit} (the working tree did not build: ${workingTreeError}${caveat})`,
    };
  }
  return { missing: `\`node esbuild.mjs --production\` failed: ${headError}` };
}

async function bundleAlternative(label, contents, platform) {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    minify: true,
    platform,
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { label, minifiedBytes: bytes.length, gzipBytes: gzipSync(bytes).length };
}

/**
 * @param build the result of {@link buildOursProduction}
 * @returns rows `{ id, label, minifiedBytes, gzipBytes, ours }` or `{ id, label, missing }`
 */
export async function runBundles(build) {
  const rows = [];
  for (const [id, label, file] of [
    ['oursNode', 'ours: dist/extension.js (Node host)', BUNDLES[0]],
    ['oursWeb', 'ours: dist/web/extension.js (web host)', BUNDLES[1]],
  ]) {
    if (build.missing !== undefined) {
      rows.push({ id, label, ours: true, missing: build.missing });
    } else {
      rows.push({
        id,
        label,
        ours: true,
        builtFrom: build.source,
        ...sizesOf(path.join(build.root, file)),
      });
    }
  }
  const alternatives = [
    [
      'extensionTelemetryNode',
      '@vscode/extension-telemetry (Node)',
      '@vscode/extension-telemetry',
      'node',
    ],
    [
      'extensionTelemetryWeb',
      '@vscode/extension-telemetry (web)',
      '@vscode/extension-telemetry',
      'browser',
    ],
    ['trackerCoreNode', '@snowplow/tracker-core (Node)', '@snowplow/tracker-core', 'node'],
    ['trackerCoreWeb', '@snowplow/tracker-core (web)', '@snowplow/tracker-core', 'browser'],
    ['nodeTracker', '@snowplow/node-tracker (Node)', '@snowplow/node-tracker', 'node'],
  ];
  for (const [id, label, specifier, platform] of alternatives) {
    const contents = `export * from ${JSON.stringify(specifier)};`;
    rows.push({
      id,
      ours: false,
      ...(await bundleAlternative(label, contents, platform)),
    });
  }
  return rows;
}
