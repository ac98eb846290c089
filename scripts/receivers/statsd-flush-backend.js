// A statsd backend for metlog-go's tests: every flush appends one line of JSON,
//   {"ts":..., "counters":{...}, "timers":{...}, "gauges":{...}, "timer_data":{...}}
// to the file named by the config's `metlogFlush.file`, so that a test can add the
// counters up over the lines and join the timer lists. Counters arrive already
// scaled by their sample rate. statsd loads this file by its path (config `backends`).
'use strict';
const fs = require('fs');

exports.init = function (startupTime, config, events, logger) {
  const out = config.metlogFlush && config.metlogFlush.file;
  if (!out) {
    logger.log('metlog flush backend: config.metlogFlush.file is not set', 'ERROR');
    return false;
  }
  events.on('flush', function (ts, metrics) {
    const line = JSON.stringify({
      ts: ts,
      counters: metrics.counters,
      timers: metrics.timers,
      gauges: metrics.gauges,
      timer_data: metrics.timer_data,
    });
    // One write call per flush, so a reader never sees half a line (it ignores
    // a last line without its newline anyway).
    fs.appendFileSync(out, line + '\n');
  });
  return true;
};
