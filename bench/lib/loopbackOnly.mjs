// The benchmark may talk to 127.0.0.1 and nothing else. This makes that a fact of the process
// rather than a hope: every TCP connection (http, https, fetch, anything on net.Socket) to
// another host fails at once and is recorded, and the run reports it.
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;

/** Hosts that something tried to reach and was refused, in order. */
export const refusedHosts = [];

/** Installs the guard in this process; safe to call twice. */
export function allowLoopbackOnly() {
  if (net.Socket.prototype.connect.loopbackOnly) {
    return;
  }
  const connect = net.Socket.prototype.connect;
  const guarded = function (...args) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    let host = 'localhost'; // connect(port) and connect(path) stay on this machine
    if (typeof first === 'object' && first !== null) {
      host = first.path !== undefined ? 'localhost' : (first.host ?? 'localhost');
    } else if (typeof args[1] === 'string') {
      host = args[1];
    }
    if (!LOOPBACK.test(String(host))) {
      refusedHosts.push(String(host));
      process.nextTick(() => this.destroy(new Error(`benchmark: refused to connect to ${host}`)));
      return this;
    }
    return connect.apply(this, args);
  };
  guarded.loopbackOnly = true;
  net.Socket.prototype.connect = guarded;
}
