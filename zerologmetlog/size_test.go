package zerologmetlog

import (
	"runtime"
	"strings"
	"testing"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/metlog-go/metlog/internal/metlogtest"
	"github.com/rs/zerolog"
)

// hugeEvent returns a zerolog event holding an n-element int array.
func hugeEvent(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"level":"warn","a":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('1')
	}
	b.WriteString(`],"message":"huge"}` + "\n")
	return []byte(b.String())
}

// TestOversizeEvent: an event longer than the client's size limit is not
// parsed: it is sent as a RawType message whose payload is its text,
// truncated by the encoder with the payload_truncated marker holding its
// length, at the level of its leading level member. One such write (a
// 1,048,576-element int array, 2 MiB) allocates a small multiple of the
// limit, and keeps less than that once collected.
func TestOversizeEvent(t *testing.T) {
	ev := hugeEvent(1 << 20)
	for _, f := range metlogtest.Formats {
		t.Run(f.String(), func(t *testing.T) {
			c, capt := metlogtest.NewClient(t, f)
			limit := c.MaxMessageSize()
			w := NewWriter(c)
			w.Write([]byte(`{"level":"info","message":"warm"}`)) // pools
			metlogtest.Messages(t, c, capt)
			capt.Reset()

			var before, after, kept runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			w.Write(ev)
			runtime.ReadMemStats(&after)
			runtime.GC()
			runtime.ReadMemStats(&kept)
			allocated := after.TotalAlloc - before.TotalAlloc
			retained := int64(kept.HeapAlloc) - int64(before.HeapAlloc)
			t.Logf("%d-byte event, limit %d: %d bytes allocated, %d retained after GC", len(ev), limit, allocated, retained)
			if !raceEnabled {
				if allocated > uint64(8*limit) {
					t.Errorf("one Write allocated %d bytes, want <= 8 x the %d-byte limit", allocated, limit)
				}
				if retained > int64(8*limit) {
					t.Errorf("%d bytes retained after the Write, want <= 8 x the %d-byte limit", retained, limit)
				}
			}

			m := metlogtest.One(t, c, capt)
			fs := flat(m.Fields)
			if m.Type != RawType || m.Severity != core.Warning || !strings.HasPrefix(string(ev), m.Payload) || len(m.Payload) < limit/2 ||
				fs[core.TruncatedField] != int64(len(ev)-1) {
				t.Fatalf("got type %q severity %v, %d-byte payload %.40q..., fields %v; want %s, warning, a prefix of the event, %s=%d",
					m.Type, m.Severity, len(m.Payload), m.Payload, fs, RawType, core.TruncatedField, len(ev)-1)
			}
			if w.Malformed() != 1 {
				t.Errorf("Malformed() = %d, want 1", w.Malformed())
			}
		})
	}
}

// TestLargeEventNotPooled: an event within a raised size limit but over
// 64 KiB is converted, and the converter that parsed it does not keep
// fastjson's tree of it in the pool.
func TestLargeEventNotPooled(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector; run without -race")
	}
	const limit = 1 << 20
	ev := hugeEvent(200_000) // 400 KiB, 200,000 values: some 16 MB of fastjson tree
	c, capt := metlogtest.NewClient(t, core.FormatHeka, core.WithMaxMessageSize(limit), core.WithBufferSize(8<<20))
	w := NewWriter(c, WithContextCache(0))
	var before, kept runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w.WriteLevel(zerolog.WarnLevel, ev)
	m := metlogtest.One(t, c, capt)
	capt.Reset()
	runtime.GC()
	runtime.ReadMemStats(&kept)
	if a := m.Fields[0]; m.Type != core.TypeOldstyle || a.Name != "a" || len(a.IntsValue()) != 200_000 {
		t.Fatalf("got type %q, fields %s...; want the event converted", m.Type, metlogtest.FieldNames(m)[:min(40, len(metlogtest.FieldNames(m)))])
	}
	m = nil
	if retained := int64(kept.HeapAlloc) - int64(before.HeapAlloc); retained > 4*limit {
		t.Errorf("%d bytes retained after converting a %d-byte event, want <= %d", retained, len(ev), 4*limit)
	}
}

// TestNestingLimit: objects in an event nest no deeper than
// jsontext.MaxDepth; deeper ones become its marker.
func TestNestingLimit(t *testing.T) {
	ev := `{"level":"info","d":` + strings.Repeat(`{"d":`, 200) + "1" + strings.Repeat("}", 200) + `,"message":"deep"}`
	for _, f := range metlogtest.Formats {
		c, capt := metlogtest.NewClient(t, f)
		NewWriter(c).Write([]byte(ev))
		m := metlogtest.One(t, c, capt)
		want := strings.Repeat("d.", jsontext.MaxDepth) + "d"
		if fs := flat(m.Fields); len(fs) != 1 || fs[want] != jsontext.DepthMarker {
			t.Fatalf("%v: fields %v, want only %s = %q", f, fs, want, jsontext.DepthMarker)
		}
	}
}
