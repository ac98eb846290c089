package jsontext

import (
	"sync/atomic"
	"time"
)

// AppendRFC3339 appends sec and nsec since the epoch as RFC 3339 in UTC
// with the fraction's trailing zeros dropped, as time.RFC3339Nano does
// (no quotes), by calendar arithmetic; years outside 0-9999 go through the
// time package.
func AppendRFC3339(dst []byte, sec int64, nsec int) []byte {
	d, ok := appendDateTime(dst, sec)
	if !ok || nsec < 0 || nsec > 999999999 {
		return time.Unix(sec, int64(nsec)).UTC().AppendFormat(dst, time.RFC3339Nano)
	}
	dst = d
	if nsec > 0 {
		var frac [10]byte
		frac[0] = '.'
		frac[1] = byte('0' + nsec/1e8)
		r := nsec % 1e8
		put2(frac[2:], r/1e6)
		put2(frac[4:], r/1e4%100)
		put2(frac[6:], r/100%100)
		put2(frac[8:], r%100)
		end := 10
		for frac[end-1] == '0' {
			end--
		}
		dst = append(dst, frac[:end]...)
	}
	return append(dst, 'Z')
}

// AppendTime appends t as AppendRFC3339 does.
func AppendTime(dst []byte, t time.Time) []byte {
	return AppendRFC3339(dst, t.Unix(), t.Nanosecond())
}

// TimeCache writes Metlog timestamps, reusing the text of the last second
// written: messages logged within the same second share it. The zero
// value is ready to use; it is safe for concurrent use.
type TimeCache struct {
	second atomic.Pointer[secondText]
}

// secondText is the "YYYY-MM-DDTHH:MM:SS" text of one second.
type secondText struct {
	sec  int64
	text [19]byte
}

// AppendMetlogTime writes ns as the package function AppendMetlogTime
// does, reusing the text of the last second written.
func (c *TimeCache) AppendMetlogTime(dst []byte, ns int64) []byte {
	sec, frac := ns/1e9, ns%1e9
	if frac < 0 {
		sec--
		frac += 1e9
	}
	t := c.second.Load()
	if t == nil || t.sec != sec {
		n := &secondText{sec: sec}
		if _, ok := appendDateTime(n.text[:0], sec); !ok {
			return AppendMetlogTime(dst, ns) // a year outside 0-9999
		}
		c.second.Store(n)
		t = n
	}
	dst = append(dst, t.text[:]...)
	return appendMicros(dst, frac)
}

// AppendMetlogTime writes ns since the epoch as YYYY-MM-DDTHH:MM:SS.ffffff
// in UTC, Metlog's timestamp (the Z and the quotes are the caller's). It
// does the calendar arithmetic itself, which costs a fraction of
// time.Time's Date and Clock.
func AppendMetlogTime(dst []byte, ns int64) []byte {
	secs, frac := ns/1e9, ns%1e9
	if frac < 0 {
		secs--
		frac += 1e9
	}
	dst, ok := appendDateTime(dst, secs)
	if !ok {
		return time.Unix(0, ns).UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000")
	}
	return appendMicros(dst, frac)
}

// appendMicros writes the fraction of a second frac (in ns) as ".ffffff",
// in microseconds.
func appendMicros(dst []byte, frac int64) []byte {
	n := len(dst)
	dst = append(dst, ".000000"...)
	us := int(frac / 1000)
	put2(dst[n+1:], us/10000)
	put2(dst[n+3:], us/100%100)
	put2(dst[n+5:], us%100)
	return dst
}

// appendDateTime writes sec since the epoch as YYYY-MM-DDTHH:MM:SS in UTC.
// It reports false, writing nothing, for years outside 0-9999.
func appendDateTime(dst []byte, sec int64) ([]byte, bool) {
	days, sod := sec/86400, sec%86400
	if sod < 0 {
		days--
		sod += 86400
	}
	y, mo, d := civilDate(days)
	if y < 0 || y > 9999 {
		return dst, false
	}
	n := len(dst)
	dst = append(dst, "0000-00-00T00:00:00"...)
	b := dst[n:]
	put2(b[0:], int(y/100))
	put2(b[2:], int(y%100))
	put2(b[5:], int(mo))
	put2(b[8:], int(d))
	put2(b[11:], int(sod/3600))
	put2(b[14:], int(sod/60%60))
	put2(b[17:], int(sod%60))
	return dst, true
}

// civilDate converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days-to-civil algorithm).
func civilDate(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysSinceEpoch returns the days from 1970-01-01 to a date of the
// proleptic Gregorian calendar (the civil-to-days algorithm of Howard
// Hinnant's "chrono-Compatible Low-Level Date Algorithms"), the inverse of
// civilDate; cheaper than time.Date, which normalises and consults the
// location.
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

// digitPairs[v] is v (0-99) in two decimal digits; indexed by a byte, so
// that reading it needs no bounds check.
var digitPairs = func() (t [256][2]byte) {
	for v := range 100 {
		t[v] = [2]byte{byte('0' + v/10), byte('0' + v%10)}
	}
	return t
}()

// put2 writes v (0-99) as two digits at b[0:2].
func put2(b []byte, v int) {
	d := digitPairs[uint8(v)]
	_ = b[1]
	b[0], b[1] = d[0], d[1]
}

// ParseRFC3339 parses an RFC 3339 date-time,
// YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm), without allocating
// (time.Parse allocates a zone for most offsets). It accepts what
// time.Parse(time.RFC3339Nano, s) accepts, and also a lower-case 't' or
// 'z' and a ',' before the fraction; the result is in UTC.
func ParseRFC3339(s string) (time.Time, bool) {
	t, zone, ok := ParseDateTime(s)
	return t, ok && zone
}

// ParseDateTime parses what ParseRFC3339 does, and the same without a
// zone (Python's isoformat() of a naive time), which it reads as UTC and
// reports with zone false.
func ParseDateTime(s string) (t time.Time, zone, ok bool) {
	if len(s) < len("2006-01-02T15:04:05") || s[4] != '-' || s[7] != '-' ||
		(s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false, false
	}
	i, nsec := 19, 0
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		start, scale := i, 100000000
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			nsec += int(s[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return time.Time{}, false, false
		}
	}
	offset := 0
	zone = true
	switch rest := s[i:]; {
	case rest == "Z" || rest == "z":
	case rest == "":
		zone = false
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 24 || om > 60 { // as time.Parse, which reads ±24:mm and ±hh:60
			return time.Time{}, false, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false, false
	}
	unix := daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset)
	return time.Unix(unix, int64(nsec)).UTC(), zone, true
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
