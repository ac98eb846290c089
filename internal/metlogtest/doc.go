// Package metlogtest holds test helpers shared by the packages of
// metlog-go: capture clients, bounded flush-and-decode, and the flat
// comparison of decoded fields with an encoding/json oracle.
//
// It is imported only by _test files. It imports core, so core's own
// internal tests (package core) cannot use it; its external tests
// (package core_test) can. It must never import an adapter.
package metlogtest
