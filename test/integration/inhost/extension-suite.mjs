// Entry of the extension's in-host suite: importing the tests registers them; `run` is what
// the extension host calls (`extensionTestsPath`).
import { runRegistered } from './framework.mjs';
import './extension.inhost.mjs';

/* global IN_HOST_KIND */

/** Runs the suite; rejects when a test failed. */
export function run() {
  return runRegistered(typeof IN_HOST_KIND === 'string' ? IN_HOST_KIND : 'desktop');
}
