package jsontext_test

import (
	"fmt"
	"math"

	"github.com/metlog-go/metlog/internal/jsontext"
)

// The Append functions write one JSON value each: strings escaped with
// invalid UTF-8 replaced, floats that JSON cannot hold as strings, times
// in RFC 3339, and raw JSON checked and compacted, nested no deeper than
// MaxDepth.
func Example() {
	b := jsontext.AppendString(nil, "tab\there, bad \xff")
	b = append(b, ' ')
	b = jsontext.AppendFloat(b, math.Inf(-1))
	b = append(b, ' ')
	b, ok := jsontext.AppendRawJSON(b, []byte(`{ "a" : [1, 2] }`), 0)
	fmt.Println(string(b), ok)
	_, ok = jsontext.AppendRawJSON(nil, []byte(`{"a":`), 0)
	fmt.Println(ok)
	t, ok := jsontext.ParseRFC3339("2026-12-07T01:02:03.5+01:00")
	fmt.Println(t.UTC(), ok)
	// Output:
	// "tab\there, bad \ufffd" "-Inf" {"a":[1,2]} true
	// false
	// 2026-12-07 00:02:03.5 +0000 UTC true
}
