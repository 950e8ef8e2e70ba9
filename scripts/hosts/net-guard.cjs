'use strict';
// Preloaded into every Node process the harness starts (`NODE_OPTIONS=--require <this file>`),
// and so inherited by their children (code-server's extension hosts, test-web's server).
// It turns "should stay on this machine" into "cannot leave it": a TCP/UDP connection or a
// DNS query for anything but loopback fails at once, before a packet is sent, and is written
// to the file named by CLIENT_SESSION_NET_GUARD_LOG (one JSON object a line) so that the
// harness can fail the test that caused it and say what was tried.
//
// Covered: net/tls sockets (and so http, https, http2 and fetch), dns lookups and queries,
// dgram. Not covered: native code that opens sockets itself (none is known in these hosts);
// Chromium is kept local by its own host resolver rules, not by this file.
const net = require('node:net');
const dns = require('node:dns');
const dgram = require('node:dgram');
const fs = require('node:fs');

const logFile = process.env.CLIENT_SESSION_NET_GUARD_LOG;

function record(entry) {
  if (!logFile) return;
  const line = { ...entry, pid: process.pid, argv: process.argv.slice(1, 3), at: Date.now() };
  try {
    fs.appendFileSync(logFile, `${JSON.stringify(line)}\n`);
  } catch {
    // The log is evidence, not control flow: the connection stays refused either way.
  }
}

/** True for 127.0.0.0/8, ::1, IPv4-mapped loopback, and the names that mean this machine. */
function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default: localhost
  const name = String(host)
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice(7) : name;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

function refusal(kind, target) {
  record({ kind, target });
  const error = new Error(
    `net-guard: ${kind} to ${target} refused; only loopback is allowed in these tests`,
  );
  error.code = 'ENETUNREACH';
  return error;
}

// --- TCP (net, tls, http, https, http2, undici/fetch all end here) -------------------------
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  // Node calls this with (options, cb), (port, host, cb), (path, cb) or an internal array.
  let options = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof options !== 'object' || options === null) {
    options =
      typeof options === 'string' && isNaN(Number(options))
        ? { path: options }
        : { port: options, host: typeof args[1] === 'string' ? args[1] : undefined };
  }
  if (options.path === undefined && !isLoopback(options.host)) {
    const error = refusal('connect', `${options.host}:${options.port}`);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};

// --- DNS ------------------------------------------------------------------------------------
function guardCallbackStyle(target, name) {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function guardedDns(hostname, ...rest) {
    if (!isLoopback(hostname)) {
      const callback = rest.reverse().find((value) => typeof value === 'function');
      const error = refusal(`dns.${name}`, hostname);
      if (callback) process.nextTick(() => callback(error));
      return undefined;
    }
    return original.call(this, hostname, ...rest);
  };
}

function guardPromiseStyle(target, name) {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function guardedDnsPromise(hostname, ...rest) {
    if (!isLoopback(hostname)) return Promise.reject(refusal(`dns.${name}`, hostname));
    return original.call(this, hostname, ...rest);
  };
}

const queryNames = Object.keys(dns).filter((name) => /^resolve/.test(name) || name === 'reverse');
for (const name of ['lookup', 'lookupService', ...queryNames]) guardCallbackStyle(dns, name);
for (const name of queryNames) guardCallbackStyle(dns.Resolver.prototype, name);
for (const name of ['lookup', 'lookupService', ...queryNames])
  guardPromiseStyle(dns.promises, name);
for (const name of queryNames) guardPromiseStyle(dns.promises.Resolver.prototype, name);

// --- UDP ------------------------------------------------------------------------------------
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(...args) {
  // send(msg, [offset, length,] port, address, callback): the address is the first string
  // after the message.
  const address = args.slice(1).find((value) => typeof value === 'string');
  if (address !== undefined && !isLoopback(address)) {
    const callback = args.find((value) => typeof value === 'function');
    const error = refusal('udp send', address);
    if (callback) process.nextTick(() => callback(error));
    return;
  }
  return originalSend.apply(this, args);
};
const originalUdpConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function guardedUdpConnect(port, address, callback) {
  if (typeof address === 'string' && !isLoopback(address)) {
    const error = refusal('udp connect', `${address}:${port}`);
    process.nextTick(() => this.emit('error', error));
    return;
  }
  return originalUdpConnect.call(this, port, address, callback);
};

// Evidence that the guard is in this process at all: the harness checks that the extension
// host was among the guarded processes, so a host that dropped NODE_OPTIONS cannot pass.
record({ kind: 'guarded' });

module.exports = { isLoopback };
