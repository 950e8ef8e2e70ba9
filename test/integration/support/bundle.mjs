// Bundles the in-host suite (test/integration/inhost) into one CommonJS file that an extension
// host can load as `extensionTestsPath`: for Node (code-server, desktop) or for the browser
// worker of a web host. The harness URL is compiled in, so the same source serves every host.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * @param {object} options
 * @param {'node' | 'web' | 'desktop'} options.host
 * @param {string | null} options.harnessUrl e.g. `http://127.0.0.1:4321`; null: no harness
 * @param {string} options.outfile
 * @param {string} options.entry a file of ../inhost that imports its tests and exports `run`
 */
export async function bundleInHostSuite({ host, harnessUrl, outfile, entry }) {
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL(`../inhost/${entry}`, import.meta.url))],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: host === 'web' ? 'browser' : 'node',
    target: 'es2022',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
    define: {
      HARNESS_URL: JSON.stringify(harnessUrl),
      IN_HOST_KIND: JSON.stringify(host),
    },
  });
}
