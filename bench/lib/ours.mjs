// Loads this repository's TypeScript for the benchmark. The benchmark itself is plain ESM;
// our sources are bundled on the fly with esbuild (the same bundler the extension ships with)
// into bench/results/tmp/*.cjs, with `vscode` left external so the stand-in can answer it.
// A part that is not written yet is reported as missing, never replaced by something else.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The repository root (two folders above this file). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Scratch space for builds: bench/results/tmp (ignored by git) or $BENCH_SCRATCH_DIR. */
export const scratchDir =
  process.env.BENCH_SCRATCH_DIR ?? path.join(repoRoot, 'bench', 'results', 'tmp');

/**
 * Bundles `source` (TypeScript that imports from the repository by paths relative to its
 * root) to bench/results/tmp/`name`.cjs and loads it. Resolves `{ exports, file }`, or
 * `{ missing }` saying which of `requiredFiles` (paths from the root) does not exist yet or
 * why the build failed.
 */
export async function loadOurs(name, source, requiredFiles = []) {
  const absent = requiredFiles.filter((file) => !existsSync(path.join(repoRoot, file)));
  if (absent.length > 0) {
    return { missing: `${absent.join(', ')} not built yet` };
  }
  mkdirSync(scratchDir, { recursive: true });
  const file = path.join(scratchDir, `${name}.cjs`);
  try {
    await esbuild.build({
      stdin: { contents: source, resolveDir: repoRoot, loader: 'ts', sourcefile: `${name}.ts` },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'es2022',
      outfile: file,
      external: ['vscode'],
      logLevel: 'silent',
    });
  } catch (error) {
    const first = error.errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    return { missing: `our code did not build: ${first?.text ?? error.message}${where}` };
  }
  return { exports: require(file), file };
}
