// Package router receives Metlog messages, verifies and matches them, and
// delivers them to endpoints.
//
// Messages are routed with [Matcher]s: expressions in Heka's message matcher
// language, such as
//
//	Type == "timer" && Severity <= 4 && Fields[name] =~ /^db\./
//
// so that the routes of a Heka configuration work unchanged. [ParseMatcher]
// compiles one; [Matcher] describes the language and where it differs from
// Heka's and Hindsight's.
package router
