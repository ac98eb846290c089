package router_test

import (
	"fmt"

	"github.com/metlog-go/metlog/core"
	"github.com/metlog-go/metlog/router"
)

func ExampleParseMatcher() {
	m, err := router.ParseMatcher(`Type == "db.query" && (Severity <= 3 || Fields[http.status] >= 500)`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, envelope := range []string{
		`{"type":"db.query","severity":6,"fields":{"http":{"status":503}}}`,
		`{"type":"db.query","severity":6,"fields":{"http":{"status":200}}}`,
		`{"type":"db.query","severity":3}`,
	} {
		msg, err := core.DecodeJSON([]byte(envelope))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Match(msg))
	}

	_, err = router.ParseMatcher(`Type && Severity < 4`)
	fmt.Println(err)
	_, err = router.ParseMatcher(`Payload =~ "^%d+"`)
	fmt.Println(err)
	// Output:
	// true
	// false
	// true
	// matcher: at 5 (column 6): expected a relational operator, found "&&"
	// matcher: at 11 (column 12): expected a /regular expression/ after =~, found a quoted string: quoted patterns are Hindsight's Lua patterns, which this matcher does not take; write an RE2 regular expression between slashes, such as /^db\./
}
