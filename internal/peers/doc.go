// Package peers finds the real third-party receivers that the integration
// tests of metlog-go send to, and reads back what they received.
//
// scripts/receivers.sh installs and starts the receivers on 127.0.0.1 (CI
// runs `bash scripts/receivers.sh all`): Etsy's statsd, rsyslog,
// sentry-testkit's Sentry server and an OpenTelemetry Collector built from
// tools/otelcol. Each locator ([Statsd], [Rsyslog], [Sentry], [Collector])
// reads the same environment variables as the script, checks that the
// receiver listens, and skips the calling test with a message naming the
// script when it does not, so a test run without the receivers skips those
// tests instead of failing them.
//
// The environment variables and their defaults:
//
//	METLOG_PEERS_DIR             /tmp/metlog-peers (received data in its run/)
//	METLOG_STATSD_ADDR           127.0.0.1:8125
//	METLOG_RSYSLOG_ADDR          127.0.0.1:5514
//	METLOG_SENTRY_ADDR           127.0.0.1:8199
//	METLOG_OTLP_ADDR             127.0.0.1:4318
//	METLOG_TCPLOG_ADDR           127.0.0.1:54525
//	METLOG_OTELCOL_METRICS_ADDR  127.0.0.1:8888
//
// The package uses the standard library only and imports no package of
// metlog-go, so core's own tests (package core) can import it.
package peers
