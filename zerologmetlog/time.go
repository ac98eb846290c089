package zerologmetlog

import (
	"time"

	"github.com/rs/zerolog"
	"github.com/valyala/fastjson"
)

// timestamp reads zerolog's timestamp value, written in
// zerolog.TimeFieldFormat; false when it cannot.
func (cv *converter) timestamp(v *fastjson.Value) (time.Time, bool) {
	format := zerolog.TimeFieldFormat
	switch v.Type() {
	case fastjson.TypeNumber:
		n := parseNumber(cv.numText(v))
		if n.kind != numInt {
			return time.Time{}, false
		}
		switch format {
		case zerolog.TimeFormatUnix:
			return time.Unix(n.i, 0), true
		case zerolog.TimeFormatUnixMs:
			return time.UnixMilli(n.i), true
		case zerolog.TimeFormatUnixMicro:
			return time.UnixMicro(n.i), true
		case zerolog.TimeFormatUnixNano:
			return time.Unix(0, n.i), true
		}
	case fastjson.TypeString:
		s := str(v)
		// Consecutive events mostly carry the same second (zerolog's
		// default precision): remember the last one parsed.
		if cv.tsLen > 0 && len(s) == cv.tsLen && s == b2s(cv.tsText[:cv.tsLen]) {
			return cv.tsTime, true
		}
		if t, ok := parseRFC3339(s); ok {
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

// parseRFC3339 parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm) without
// allocating (time.Parse allocates a zone for most offsets).
func parseRFC3339(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[7] != '-' ||
		(s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if s[i] == '.' || s[i] == ',' {
		i++
		start, scale := i, 100000000
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			nsec += int(s[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return time.Time{}, false
		}
	}
	offset := 0
	switch rest := s[i:]; {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	unix := daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset)
	return time.Unix(unix, int64(nsec)), true
}

// daysSinceEpoch returns the days from 1970-01-01 to a date of the
// proleptic Gregorian calendar (the civil-to-days algorithm of Howard
// Hinnant's "chrono-Compatible Low-Level Date Algorithms"); cheaper than
// time.Date, which normalises and consults the location.
func daysSinceEpoch(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y // floor(y / 400); y is -1 for January 0000
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// digits reads a short run of decimal digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
