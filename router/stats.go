package router

import (
	"sync/atomic"

	"github.com/metlog-go/metlog/core"
)

// Stats are a router's counters. Each is exact, but they are not one
// atomic snapshot: a reader counts what it read in batches (after each read
// from a connection, after each datagram).
//
// Every record or line that was framed whole ends in exactly one of
// Decoded or a rejection after decoding, and every decoded message is
// either matched by a route or unmatched:
//
//	Received = Decoded + Rejected.Malformed + Rejected.InvalidUTF8 + Rejected.BadSignature + Rejected.UnknownKey + Rejected.Unsigned
//	Decoded  = Matched + Unmatched
//
// Garbage, Oversize and Truncated count input that never formed a whole
// record or line.
type Stats struct {
	Connections uint64 `json:"connections"` // stream connections accepted
	Refused     uint64 `json:"refused"`     // stream connections closed at once, over MaxConnections
	Open        int64  `json:"open"`        // stream connections open now
	Datagrams   uint64 `json:"datagrams"`   // datagrams read
	Bytes       uint64 `json:"bytes"`       // bytes read from every input
	ReadErrors  uint64 `json:"read_errors"` // reads that failed: a stream ended by an error other than its end, the router closing or the idle timeout (a reset, a failed TLS handshake), or a datagram read

	Received  uint64     `json:"received"`  // records and lines framed whole
	Decoded   uint64     `json:"decoded"`   // decoded, verified and routed
	Rejected  Rejections `json:"rejected"`  // input skipped, by reason
	Matched   uint64     `json:"matched"`   // decoded messages matched by at least one route
	Unmatched uint64     `json:"unmatched"` // decoded messages matched by no route

	Routes    []RouteStats    `json:"routes"`
	Endpoints []EndpointStats `json:"endpoints"`
}

// Rejections count the input a router skipped, by reason.
type Rejections struct {
	Garbage      uint64 `json:"garbage_bytes"` // bytes that belong to no record or line
	Oversize     uint64 `json:"oversize"`      // records, lines and datagrams over MaxMessageSize
	Truncated    uint64 `json:"truncated"`     // records cut short by the end of their stream or datagram, or by the record after them
	Malformed    uint64 `json:"malformed"`     // records and lines that do not decode
	InvalidUTF8  uint64 `json:"invalid_utf8"`  // messages with a string that is not valid UTF-8
	BadSignature uint64 `json:"bad_signature"` // signed records whose HMAC does not match
	UnknownKey   uint64 `json:"unknown_key"`   // signed records whose signer and key version have no key
	Unsigned     uint64 `json:"unsigned"`      // unsigned records and JSON lines under RequireSigned
}

// RouteStats count one route's matches.
type RouteStats struct {
	Name    string `json:"name"`
	Matched uint64 `json:"matched"`
}

// EndpointStats are one endpoint's delivery counters, from its client's
// Stats.
type EndpointStats struct {
	Name      string     `json:"name"`
	Type      string     `json:"type"`
	Delivered uint64     `json:"delivered"` // written to the endpoint (Client.Sent)
	Dropped   uint64     `json:"dropped"`   // lost for any reason (Client.Dropped): queue full, not encodable, failed
	Client    core.Stats `json:"client"`
}

// counters are a router's shared counters; readers add their own counts
// to them in batches.
type counters struct {
	connections, refused, datagrams, bytes atomic.Uint64
	readErrors                             atomic.Uint64
	open                                   atomic.Int64
	received, decoded, matched, unmatched  atomic.Uint64
	garbage, oversize, truncated           atomic.Uint64
	malformed, invalidUTF8                 atomic.Uint64
	badSignature, unknownKey, unsigned     atomic.Uint64
	routes                                 []atomic.Uint64
}

// tally is one reader's counts since it last added them to the router's.
type tally struct {
	bytes, received, decoded, matched, unmatched uint64
	garbage, oversize, truncated, malformed      uint64
	invalidUTF8, badSignature, unknownKey        uint64
	unsigned                                     uint64
	routes                                       []uint64
}

// flush adds t to c and zeroes t.
func (t *tally) flush(c *counters) {
	add := func(a *atomic.Uint64, v *uint64) {
		if *v != 0 {
			a.Add(*v)
			*v = 0
		}
	}
	add(&c.bytes, &t.bytes)
	add(&c.received, &t.received)
	add(&c.decoded, &t.decoded)
	add(&c.matched, &t.matched)
	add(&c.unmatched, &t.unmatched)
	add(&c.garbage, &t.garbage)
	add(&c.oversize, &t.oversize)
	add(&c.truncated, &t.truncated)
	add(&c.malformed, &t.malformed)
	add(&c.invalidUTF8, &t.invalidUTF8)
	add(&c.badSignature, &t.badSignature)
	add(&c.unknownKey, &t.unknownKey)
	add(&c.unsigned, &t.unsigned)
	for i := range t.routes {
		add(&c.routes[i], &t.routes[i])
	}
}

// Stats returns the router's counters and each endpoint's.
func (r *Router) Stats() Stats {
	c := &r.counters
	st := Stats{
		Connections: c.connections.Load(),
		Refused:     c.refused.Load(),
		Open:        c.open.Load(),
		Datagrams:   c.datagrams.Load(),
		Bytes:       c.bytes.Load(),
		ReadErrors:  c.readErrors.Load(),
		Received:    c.received.Load(),
		Decoded:     c.decoded.Load(),
		Matched:     c.matched.Load(),
		Unmatched:   c.unmatched.Load(),
		Rejected: Rejections{
			Garbage:      c.garbage.Load(),
			Oversize:     c.oversize.Load(),
			Truncated:    c.truncated.Load(),
			Malformed:    c.malformed.Load(),
			InvalidUTF8:  c.invalidUTF8.Load(),
			BadSignature: c.badSignature.Load(),
			UnknownKey:   c.unknownKey.Load(),
			Unsigned:     c.unsigned.Load(),
		},
	}
	for i := range r.routes {
		st.Routes = append(st.Routes, RouteStats{Name: r.routes[i].name, Matched: c.routes[i].Load()})
	}
	for _, e := range r.endpoints {
		cs := e.client.Stats()
		st.Endpoints = append(st.Endpoints, EndpointStats{Name: e.name, Type: e.kind, Delivered: cs.Sent, Dropped: cs.Dropped, Client: cs})
	}
	return st
}
