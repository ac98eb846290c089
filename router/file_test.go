package router

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/metlog-go/metlog/core"
)

// fileClient is a client writing format f through a file sender.
func fileClient(t *testing.T, fs *fileSender, f core.Format) *core.Client {
	t.Helper()
	c, err := core.New("", core.WithSender(fs), core.WithFormat(f))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFileRotation: the file rotates before a frame that would take it
// past the size, keeps the configured number of old files, and loses no
// frame; every file holds whole frames.
func TestFileRotation(t *testing.T) {
	for _, f := range []core.Format{core.FormatJSON, core.FormatHeka} {
		t.Run(f.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out")
			fs, err := newFileSender(path, 2000, 3)
			if err != nil {
				t.Fatal(err)
			}
			c := fileClient(t, fs, f)
			const n = 300 // more than four files of either format
			for i := range n {
				c.Send(&core.Message{Type: "t", Payload: strconv.Itoa(i)})
				if i%10 == 0 {
					c.Flush(context.Background()) // several batches
				}
			}
			closeClient(t, c)
			// The newest files: out, out.1, out.2, out.3; nothing beyond.
			if _, err := os.Stat(path + ".4"); !os.IsNotExist(err) {
				t.Fatalf("out.4: %v", err)
			}
			var got []int
			for _, p := range []string{path + ".3", path + ".2", path + ".1", path} {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) > 2000 {
					t.Fatalf("%s has %d bytes, limit 2000", p, len(b))
				}
				for _, m := range decodeAll(t, f, b) {
					i, _ := strconv.Atoi(m.Payload)
					got = append(got, i)
				}
			}
			// The last messages, in order, without a gap.
			if len(got) == 0 || got[len(got)-1] != n-1 {
				t.Fatalf("payloads %v", got)
			}
			for i := 1; i < len(got); i++ {
				if got[i] != got[i-1]+1 {
					t.Fatalf("gap in %v", got)
				}
			}
			if st := c.Stats(); st.Sent != n {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// decodeAll decodes a whole file of frames.
func decodeAll(t *testing.T, f core.Format, b []byte) []*core.Message {
	t.Helper()
	var out []*core.Message
	if f == core.FormatHeka {
		recs, skipped := core.SplitHekaRecords(b, 0)
		if skipped != 0 {
			t.Fatalf("%d bytes of the file are no record", skipped)
		}
		for _, r := range recs {
			m, _, err := core.DecodeHekaRecord(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, b, 0o644)
	return readJSONLines(t, path)
}

// TestFileReopen: after the file is moved away (as logrotate does) and
// the router reopens it, new messages go to a new file at the path.
func TestFileReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	r := startRouter(t, Config{
		Inputs:    []Input{tcpInput},
		Routes:    []Route{{Matcher: "TRUE", Endpoints: []string{"f"}}},
		Endpoints: []Endpoint{{Name: "f", Type: "file", Path: path}},
	})
	c := newClient(t, r, 0, core.FormatHeka)
	defer closeClient(t, c)
	send := func(p string, want uint64) {
		c.Send(&core.Message{Type: "t", Payload: p})
		waitFor(t, "delivery", 30*time.Second, func() bool { return r.Stats().Endpoints[0].Delivered == want })
	}
	send("before", 1)
	if err := os.Rename(path, path+".old"); err != nil {
		t.Fatal(err)
	}
	send("moved", 2) // still the old file: nothing told the router
	if err := r.Reopen(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("reopen did not create the file: %v", err)
	}
	send("after", 3)
	old, cur := readJSONLines(t, path+".old"), readJSONLines(t, path)
	if len(old) != 2 || old[0].Payload != "before" || old[1].Payload != "moved" || len(cur) != 1 || cur[0].Payload != "after" {
		t.Fatalf("old file %d messages, new file %d", len(old), len(cur))
	}
}

// TestEndpointErrorClosesFile: an endpoint refused after its file was
// opened (here, a format a file endpoint does not write) closes the file.
func TestEndpointErrorClosesFile(t *testing.T) {
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd to count open files:", err)
		}
		return len(ents)
	}
	path := filepath.Join(t.TempDir(), "out.log")
	before := fds()
	const tries = 20
	for range tries {
		ep, err := newEndpoint(&Endpoint{Name: "f", Type: "file", Path: path, Format: "statsd"}, nil, 1<<16, nil)
		if err == nil {
			ep.client.Close(context.Background())
			t.Fatal("a file endpoint in statsd format was accepted")
		}
	}
	if grew := fds() - before; grew >= tries {
		t.Errorf("%d refused file endpoints left %d more files open", tries, grew)
	}
}
