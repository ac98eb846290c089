package zerologmetlog

import (
	"time"

	"github.com/metlog-go/metlog/internal/jsontext"
	"github.com/rs/zerolog"
	"github.com/valyala/fastjson"
)

// timestamp reads zerolog's timestamp value, written in
// zerolog.TimeFieldFormat; false when it cannot.
func (cv *converter) timestamp(v *fastjson.Value) (time.Time, bool) {
	format := zerolog.TimeFieldFormat
	switch v.Type() {
	case fastjson.TypeNumber:
		n := jsontext.ParseNumber(cv.numText(v))
		if n.Kind != jsontext.NumInt {
			return time.Time{}, false
		}
		switch format {
		case zerolog.TimeFormatUnix:
			return time.Unix(n.Int, 0), true
		case zerolog.TimeFormatUnixMs:
			return time.UnixMilli(n.Int), true
		case zerolog.TimeFormatUnixMicro:
			return time.UnixMicro(n.Int), true
		case zerolog.TimeFormatUnixNano:
			return time.Unix(0, n.Int), true
		}
	case fastjson.TypeString:
		s := str(v)
		// Consecutive events mostly carry the same second (zerolog's
		// default precision): remember the last one parsed.
		if cv.tsLen > 0 && len(s) == cv.tsLen && s == b2s(cv.tsText[:cv.tsLen]) {
			return cv.tsTime, true
		}
		if t, ok := jsontext.ParseRFC3339(s); ok {
			if len(s) <= len(cv.tsText) {
				cv.tsLen = copy(cv.tsText[:], s)
				cv.tsTime = t
			}
			return t, true
		}
		switch format {
		case zerolog.TimeFormatUnix, zerolog.TimeFormatUnixMs, zerolog.TimeFormatUnixMicro, zerolog.TimeFormatUnixNano,
			time.RFC3339, time.RFC3339Nano:
			return time.Time{}, false
		}
		// zerolog formats the time in its own location, usually Local.
		t, err := time.ParseInLocation(format, s, time.Local)
		if err != nil || t.Year() == 0 { // a layout without a date is no timestamp
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}
