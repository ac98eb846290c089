package router

import (
	"io"
	"net"
	"testing"

	"github.com/metlog-go/metlog/core"
)

// FuzzInput feeds arbitrary bytes to the router's input path: a stream
// written in chunks of 1-256 bytes through a connection, and the same
// bytes as one datagram. Nothing may panic or hang, and the counts must
// balance: every record or line framed whole is decoded or rejected, and
// every decoded message is matched or not.
//
//	go test -run='^$' -fuzz=FuzzInput -fuzztime=30s ./router
func FuzzInput(f *testing.F) {
	enc, _ := core.NewEncoder(core.FormatHeka, core.EncoderConfig{})
	rec, _ := enc.AppendMessage(nil, &core.Message{Type: "t", Payload: "p", Fields: []core.Field{core.Int("n", 1)}})
	sig, _ := core.NewEncoder(core.FormatHeka, core.EncoderConfig{HMAC: &core.HMACConfig{Signer: "ops", KeyVersion: 1, Key: "k"}})
	srec, _ := sig.AppendMessage(nil, &core.Message{Type: "s"})
	f.Add(rec, uint8(7))
	f.Add(append(append([]byte("junk"), srec...), rec[:10]...), uint8(0))
	f.Add([]byte(`{"type":"t","fields":{"a":[1,2]}}`+"\n{bad\n"), uint8(3))
	f.Add([]byte{0x1e, 6, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1f, 'A'}, uint8(1))
	f.Add(append(rec[:len(rec)/2:len(rec)/2], rec...), uint8(255))

	r := startRouter(f, Config{
		Inputs: []Input{tcpInput}, MaxMessageSize: 512, Keys: map[string]string{"ops_1": "k"},
		Routes:    []Route{{Matcher: `Type == "t"`, Endpoints: []string{"null"}}},
		Endpoints: []Endpoint{{Name: "null", Sender: core.NewWriterSender(io.Discard)}},
	})
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		before := r.Stats()
		client, server := net.Pipe()
		go func() {
			step := int(chunk) + 1
			for i := 0; i < len(data); i += step {
				client.Write(data[i:min(i+step, len(data))])
			}
			client.Close()
		}()
		newReader(r).stream(server)
		server.Close()
		p := newReader(r)
		p.datagram(data)
		p.flush()
		after := r.Stats()
		d := func(f func(Stats) uint64) uint64 { return f(after) - f(before) }
		received := d(func(s Stats) uint64 { return s.Received })
		decoded := d(func(s Stats) uint64 { return s.Decoded })
		rejected := d(func(s Stats) uint64 {
			return s.Rejected.Malformed + s.Rejected.InvalidUTF8 + s.Rejected.BadSignature + s.Rejected.UnknownKey + s.Rejected.Unsigned
		})
		if received != decoded+rejected {
			t.Fatalf("received %d, decoded %d, rejected %d", received, decoded, rejected)
		}
		if m := d(func(s Stats) uint64 { return s.Matched + s.Unmatched }); m != decoded {
			t.Fatalf("decoded %d, matched+unmatched %d", decoded, m)
		}
	})
}
