// Runs sentry-testkit's local server on one fixed loopback address for
// metlog-go's tests, and keeps a copy of what it received in a file.
//
//   node sentry-server.js HOST PORT OUT_JSON
//
// The DSN is http://acacaeaccacacacabcaacdacdacadaca@HOST:PORT/1. The server takes
// POST /api/1/store/ and POST /api/1/envelope/ (gzip bodies too). OUT_JSON holds
// {"reports": [...], "transactions": [...], "logs": [...]} as testkit returns them
// (each report keeps the raw event in `originalReport`); it is replaced by an
// atomic rename whenever it changes, checked every 100 ms and on SIGTERM.
// NODE_PATH must reach the sentry-testkit package.
'use strict';
const fs = require('fs');
const http = require('http');

const [host, portArg, out] = process.argv.slice(2);
const port = Number(portArg);
if (!host || !Number.isInteger(port) || port <= 0 || !out) {
  console.error('usage: node sentry-server.js HOST PORT OUT_JSON');
  process.exit(2);
}

// testkit's server calls listen(callback), which means a random port on every
// interface. Give every server made from here on our address instead.
const createServer = http.createServer;
http.createServer = function (...args) {
  const srv = createServer.apply(this, args);
  const listen = srv.listen;
  srv.listen = function (...largs) {
    const cb = largs.find((a) => typeof a === 'function');
    return listen.call(srv, port, host, cb);
  };
  return srv;
};

const { testkit, localServer } = require('sentry-testkit')();

let written = null;
function save() {
  const data = JSON.stringify({
    reports: testkit.reports(),
    transactions: testkit.transactions(),
    logs: testkit.logs(),
  });
  if (data === written) return;
  fs.writeFileSync(out + '.tmp', data);
  fs.renameSync(out + '.tmp', out);
  written = data;
}

localServer.start('http://acacaeaccacacacabcaacdacdacadaca@' + host + '/1').then(() => {
  save();
  console.log('sentry-testkit listening on ' + host + ':' + port +
    ', DSN http://acacaeaccacacacabcaacdacdacadaca@' + host + ':' + port + '/1');
  setInterval(save, 100);
}, (err) => {
  console.error('sentry-testkit did not start:', err);
  process.exit(1);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => { save(); process.exit(0); });
}
