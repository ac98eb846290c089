package frameq_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/metlog-go/metlog/internal/frameq"
)

// lines is a Sink that keeps the frames it is given.
type lines struct{ got []string }

func (s *lines) Send(b *frameq.Batch) (int, error) {
	for i := 0; i < b.Len(); i++ {
		s.got = append(s.got, string(b.Frame(i)))
	}
	return b.Len(), nil
}

func (s *lines) Close() error { return nil }

// A queue copies each pushed frame into its ring and returns at once; its
// consumer goroutine hands batches to the sink. Close delivers what is
// left, within the context's deadline.
func Example() {
	sink := &lines{}
	q := frameq.New(sink, frameq.Config{Size: 64 << 10})
	for _, f := range []string{"one", "two", "three"} {
		if r := q.Push([]byte(f)); r != frameq.OK {
			fmt.Println("not queued:", r)
		}
	}
	if err := q.Close(context.Background()); err != nil {
		fmt.Println(err)
	}
	c := q.Counts()
	fmt.Println(strings.Join(sink.got, " "))
	fmt.Printf("pushed %d, sent %d, pending %d\n", c.Pushed, c.Sent, c.Pending())
	// Output:
	// one two three
	// pushed 3, sent 3, pending 0
}
