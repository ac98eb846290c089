package core

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSend measures the hot path a log call pays: filter, encode and
// enqueue one small message with two fields, sender discarding. The ring is
// large enough that nothing drops (with RunParallel on 2 cores the sender
// goroutine runs only when a producer is preempted), and delivering the
// backlog is timed too, so ns/op is the whole cost of a message.
func BenchmarkSend(b *testing.B) {
	for _, f := range []Format{FormatJSON, FormatHeka} {
		for _, parallel := range []bool{false, true} {
			name := f.String() + "/single"
			if parallel {
				name = f.String() + "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				c, err := New("", WithSender(NewWriterSender(io.Discard)), WithFormat(f), WithLogger("bench"), WithBufferSize(256<<20))
				if err != nil {
					b.Fatal(err)
				}
				fields := []Field{String("user", "alice"), Int("attempt", 3)}
				ts := time.Now()
				b.ReportAllocs()
				b.ResetTimer()
				if parallel {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							m := Message{Timestamp: ts, Type: "oldstyle", Severity: Info, Payload: "login failed", Fields: fields}
							c.Send(&m)
						}
					})
				} else {
					for i := 0; i < b.N; i++ {
						m := Message{Timestamp: ts, Type: "oldstyle", Severity: Info, Payload: "login failed", Fields: fields}
						c.Send(&m)
					}
				}
				c.Flush(context.Background())
				b.StopTimer()
				c.Close(context.Background())
				b.ReportMetric(float64(c.Stats().Drops.Full)/float64(b.N), "drops/op")
			})
		}
	}
}

// BenchmarkThroughput measures messages per second drained end to end into
// a real socket on this machine, the receiver reading as fast as it can.
// The producer retries when the ring is full (the benchmark paces itself;
// a real caller would drop), so every message is delivered.
func BenchmarkThroughput(b *testing.B) {
	dir := b.TempDir()
	for _, f := range []Format{FormatJSON, FormatHeka} {
		for _, network := range []string{"unix", "tcp"} {
			b.Run(network+"/"+f.String(), func(b *testing.B) {
				addr := "127.0.0.1:0"
				if network == "unix" {
					addr = filepath.Join(dir, network+f.String()+".sock")
				}
				ln, err := net.Listen(network, addr)
				if err != nil {
					b.Fatal(err)
				}
				var got atomic.Int64
				recvDone := make(chan struct{})
				go func() {
					defer close(recvDone)
					conn, err := ln.Accept()
					if err != nil {
						return
					}
					defer conn.Close()
					buf := make([]byte, 256<<10)
					for {
						n, err := conn.Read(buf)
						got.Add(int64(n))
						if err != nil {
							return
						}
					}
				}()
				scheme := "tcp://"
				if network == "unix" {
					scheme = "unix://"
				}
				c, err := New(scheme+ln.Addr().String(), WithFormat(f))
				if err != nil {
					b.Fatal(err)
				}
				m := Message{Timestamp: time.Now(), Type: "oldstyle", Severity: Info, Payload: "request served",
					Fields: []Field{Int("status", 200)}}
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < b.N; i++ {
					for c.Send(&m) == ErrFull {
						runtime.Gosched()
					}
				}
				if err := c.Close(context.Background()); err != nil {
					b.Fatal(err)
				}
				<-recvDone
				elapsed := time.Since(start)
				b.StopTimer()
				ln.Close()
				st := c.Stats()
				if int64(st.BytesSent) != got.Load() || st.Sent != uint64(b.N) {
					b.Fatalf("sent %d messages, %d bytes; receiver read %d bytes", st.Sent, st.BytesSent, got.Load())
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
				b.ReportMetric(float64(st.BytesSent)/float64(b.N), "B/msg")
			})
		}
	}
}

// BenchmarkOnePSmallRing: with one P, a 64 KiB ring and a producer that
// never blocks, the consumer gets the P only when a producer yields to it
// (finding the ring over half full, or full); drops/op is the fraction of
// messages the ring had no room for (under 1% on an idle machine).
func BenchmarkOnePSmallRing(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	c, err := New("", WithSender(NewWriterSender(io.Discard)), WithBufferSize(64<<10), WithMaxMessageSize(1024))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	payload := strings.Repeat("x", 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := Message{Type: "t", Payload: payload, Fields: []Field{Int64("i", int64(i))}}
		_ = c.Send(&m)
	}
	if err := c.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(c.Stats().Drops.Full)/float64(b.N), "drops/op")
}
