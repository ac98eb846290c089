package metrics

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/metlog-go/metlog/core"
)

// aggregator holds Aggregated mode's per-series state. A series is a kind
// (counter, gauge, timer), a name and a list of tags. Series without tags
// are keyed by their name in plain maps, so that the common lookup is one
// sync.Map Load of the caller's string, which allocates nothing; series
// with tags are keyed by an unambiguous binary encoding of name and tags,
// built on the stack.
//
// A series that an interval left untouched is retired: removed from its
// map and marked dead. A caller that updated it through a pointer loaded
// before the removal sees the mark and moves its update into the series
// that replaces it, so no update is lost.
type aggregator struct {
	plain   [numKinds]sync.Map // name -> *xxxSeries
	tagged  [numKinds]sync.Map // key -> *xxxSeries
	samples int                // timer samples kept per interval
	stripes int                // stripes per timer
}

func newAggregator(samples int) *aggregator {
	// Twice the Ps, so that a free stripe remains when a holder is
	// preempted inside its few nanoseconds of critical section.
	return &aggregator{samples: samples, stripes: min(max(2*runtime.GOMAXPROCS(0), 4), 64)}
}

// series is what every kind of series holds besides its values; it never
// changes after creation.
type series struct {
	name   string
	key    string
	tags   []core.Field // deep copies of the call's fields
	tagged bool
}

type counterSeries struct {
	v    atomic.Int64
	dead atomic.Bool
	series
}

type gaugeSeries struct {
	bits atomic.Uint64
	set  atomic.Bool // updated since the last flush
	dead atomic.Bool
	series
}

// timerSeries spreads its callers over stripes, each with its own lock
// and reservoir: a caller takes the first stripe it can lock without
// waiting, so that concurrent Stops never park on a mutex. Stripes past
// the first are used only under contention.
type timerSeries struct {
	series
	stripes []timerStripe
}

type timerStripe struct {
	mu       sync.Mutex
	dead     bool
	count    int64
	sum      int64 // nanoseconds
	min, max int64
	samples  []int64 // the reservoir, allocated on first use
	w        float64 // Algorithm L's weight, 0 until the reservoir is full
	next     int64   // count at which the next timing enters the full reservoir
	_        [32]byte
}

func (a *aggregator) maps(k kind, tagged bool) *sync.Map {
	if tagged {
		return &a.tagged[k]
	}
	return &a.plain[k]
}

// load returns the series of kind k for name and the fields among opts,
// creating it when first seen.
func (a *aggregator) load(k kind, name string, opts []CallOption, fields bool) any {
	if !fields {
		if v, ok := a.plain[k].Load(name); ok {
			return v
		}
		return a.create(k, name, opts, false, name)
	}
	var kb [128]byte
	key := appendKey(kb[:0], name, opts)
	ks := unsafe.String(unsafe.SliceData(key), len(key)) // only looked up, never kept
	if v, ok := a.tagged[k].Load(ks); ok {
		return v
	}
	return a.create(k, name, opts, true, ks)
}

func (a *aggregator) counter(name string, opts []CallOption, fields bool) *counterSeries {
	return a.load(kCounter, name, opts, fields).(*counterSeries)
}

func (a *aggregator) gauge(name string, opts []CallOption, fields bool) *gaugeSeries {
	return a.load(kGauge, name, opts, fields).(*gaugeSeries)
}

func (a *aggregator) timer(name string, opts []CallOption, fields bool) *timerSeries {
	return a.load(kTimer, name, opts, fields).(*timerSeries)
}

// create makes a series with copies of name, key and the fields of opts.
func (a *aggregator) create(k kind, name string, opts []CallOption, tagged bool, key string) any {
	sr := series{name: strings.Clone(name), key: strings.Clone(key), tagged: tagged}
	if tagged {
		for i := range opts {
			if opts[i].kind == optField {
				sr.tags = append(sr.tags, cloneField(opts[i].field))
			}
		}
	}
	v, _ := a.maps(k, tagged).LoadOrStore(sr.key, a.newSeries(k, sr))
	return v
}

func (a *aggregator) newSeries(k kind, sr series) any {
	switch k {
	case kCounter:
		return &counterSeries{series: sr}
	case kGauge:
		return &gaugeSeries{series: sr}
	}
	return &timerSeries{series: sr, stripes: make([]timerStripe, a.stripes)}
}

// replacement returns the live series that replaces the retired old.
func (a *aggregator) replacement(k kind, sr *series, old any) any {
	m := a.maps(k, sr.tagged)
	m.CompareAndDelete(sr.key, old)
	if v, ok := m.Load(sr.key); ok {
		return v
	}
	v, _ := m.LoadOrStore(sr.key, a.newSeries(k, *sr))
	return v
}

func (a *aggregator) addCounter(s *counterSeries, n int64) {
	s.v.Add(n)
	if s.dead.Load() {
		// Retired under us: whatever the flusher did not take moves on.
		if x := s.v.Swap(0); x != 0 {
			a.addCounter(a.replacement(kCounter, &s.series, s).(*counterSeries), x)
		}
	}
}

func (a *aggregator) setGauge(s *gaugeSeries, v float64) {
	s.bits.Store(math.Float64bits(v))
	s.set.Store(true)
	if s.dead.Load() && s.set.Swap(false) {
		a.setGauge(a.replacement(kGauge, &s.series, s).(*gaugeSeries), math.Float64frombits(s.bits.Load()))
	}
}

// lockStripe locks the first stripe that is free, or waits for the first.
func (s *timerSeries) lockStripe() *timerStripe {
	for i := range s.stripes {
		if s.stripes[i].mu.TryLock() {
			return &s.stripes[i]
		}
	}
	st := &s.stripes[0]
	st.mu.Lock()
	return st
}

func (a *aggregator) recordTimer(s *timerSeries, d time.Duration) {
	ns := max(int64(d), 0)
	for {
		st := s.lockStripe()
		if !st.dead {
			st.record(ns, a.samples)
			st.mu.Unlock()
			return
		}
		st.mu.Unlock()
		s = a.replacement(kTimer, &s.series, s).(*timerSeries)
	}
}

func (st *timerStripe) record(ns int64, capacity int) {
	st.count++
	st.sum += ns
	if st.count == 1 {
		st.min, st.max = ns, ns
	} else {
		st.min = min(st.min, ns)
		st.max = max(st.max, ns)
	}
	switch {
	case len(st.samples) < capacity:
		if st.samples == nil {
			st.samples = make([]int64, 0, capacity)
		}
		st.samples = append(st.samples, ns)
	case capacity > 0:
		// Reservoir sampling, Li's Algorithm L: a uniform sample of the
		// stripe's timings that draws random numbers only for the
		// O(k log(n/k)) timings that enter the reservoir.
		if st.w == 0 {
			st.w = math.Exp(math.Log(uniform()) / float64(capacity))
			st.next = st.count + skip(st.w)
		}
		if st.count >= st.next {
			st.samples[rand.IntN(capacity)] = ns
			st.w *= math.Exp(math.Log(uniform()) / float64(capacity))
			st.next += skip(st.w)
		}
	}
}

// uniform returns a random number in (0, 1].
func uniform() float64 { return 1 - rand.Float64() }

// skip returns how many timings later the next one enters the reservoir.
func skip(w float64) int64 {
	s := math.Floor(math.Log(uniform())/math.Log1p(-w)) + 1
	if !(s < 1<<62) { // w underflowed: nothing more enters
		return 1 << 62
	}
	return int64(s)
}

// timerSnap is a timer's interval, taken by the flusher.
type timerSnap struct {
	count, sum, min, max int64
	samples              []int64
}

// takeCounter returns the counter's sum since the last take, or false
// when there is nothing to send; an idle counter is retired.
func (a *aggregator) takeCounter(s *counterSeries) (int64, bool) {
	if sum := s.v.Swap(0); sum != 0 {
		return sum, true
	}
	a.plainOrTagged(kCounter, &s.series).CompareAndDelete(s.key, s)
	s.dead.Store(true)
	sum := s.v.Swap(0)
	return sum, sum != 0
}

// takeGauge returns the gauge's last value if it was set since the last
// take; an idle gauge is retired.
func (a *aggregator) takeGauge(s *gaugeSeries) (float64, bool) {
	if s.set.Swap(false) {
		return math.Float64frombits(s.bits.Load()), true
	}
	a.plainOrTagged(kGauge, &s.series).CompareAndDelete(s.key, s)
	s.dead.Store(true)
	if s.set.Swap(false) {
		return math.Float64frombits(s.bits.Load()), true
	}
	return 0, false
}

// takeTimer moves the timer's interval into snap and resets it; an idle
// timer is retired. It reports whether snap holds anything.
func (a *aggregator) takeTimer(s *timerSeries, snap *timerSnap) bool {
	snap.count, snap.sum, snap.min, snap.max = 0, 0, 0, 0
	snap.samples = snap.samples[:0]
	for i := range s.stripes {
		s.stripes[i].take(snap, false)
	}
	if snap.count == 0 {
		a.plainOrTagged(kTimer, &s.series).CompareAndDelete(s.key, s)
		for i := range s.stripes {
			s.stripes[i].take(snap, true)
		}
	}
	if len(snap.samples) > a.samples {
		// More than the reservoir holds (several stripes were used): keep
		// a uniform choice of them.
		for i := 0; i < a.samples; i++ {
			j := i + rand.IntN(len(snap.samples)-i)
			snap.samples[i], snap.samples[j] = snap.samples[j], snap.samples[i]
		}
		snap.samples = snap.samples[:a.samples]
	}
	return snap.count > 0
}

// take adds the stripe's interval to snap and resets it, marking it dead
// if asked.
func (st *timerStripe) take(snap *timerSnap, retire bool) {
	st.mu.Lock()
	if retire {
		st.dead = true
	}
	if st.count > 0 {
		snap.merge(st.count, st.sum, st.min, st.max, st.samples)
		st.count, st.sum, st.min, st.max = 0, 0, 0, 0
		st.samples = st.samples[:0]
		st.w, st.next = 0, 0
	}
	st.mu.Unlock()
}

func (snap *timerSnap) merge(count, sum, lo, hi int64, samples []int64) {
	if snap.count == 0 {
		snap.min, snap.max = lo, hi
	} else {
		snap.min, snap.max = min(snap.min, lo), max(snap.max, hi)
	}
	snap.count += count
	snap.sum += sum
	snap.samples = append(snap.samples, samples...)
}

// requeueTimer merges a snapshot that could not be sent back into the
// timer (samples as far as the reservoir has room).
func (a *aggregator) requeueTimer(s *timerSeries, snap *timerSnap) {
	for {
		st := s.lockStripe()
		if !st.dead {
			if st.count == 0 {
				st.min, st.max = snap.min, snap.max
			} else {
				st.min, st.max = min(st.min, snap.min), max(st.max, snap.max)
			}
			st.count += snap.count
			st.sum += snap.sum
			if st.samples == nil && a.samples > 0 {
				st.samples = make([]int64, 0, a.samples)
			}
			room := cap(st.samples) - len(st.samples)
			st.samples = append(st.samples, snap.samples[:min(room, len(snap.samples))]...)
			st.mu.Unlock()
			return
		}
		st.mu.Unlock()
		s = a.replacement(kTimer, &s.series, s).(*timerSeries)
	}
}

func (a *aggregator) plainOrTagged(k kind, sr *series) *sync.Map { return a.maps(k, sr.tagged) }

// appendKey encodes name and the fields of opts unambiguously (every
// string length-prefixed, every value typed).
func appendKey(dst []byte, name string, opts []CallOption) []byte {
	dst = appendKeyString(dst, name)
	for i := range opts {
		if opts[i].kind == optField {
			dst = appendKeyField(dst, &opts[i].field)
		}
	}
	return dst
}

func appendKeyString(dst []byte, s string) []byte {
	if len(s) < 0x80 { // the one-byte uvarint
		return append(append(dst, byte(len(s))), s...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendKeyField(dst []byte, f *core.Field) []byte {
	if f.Representation == "" && !f.Repeated() && f.Kind() == core.KindString {
		// Tag's field, written as the general case below writes it.
		dst = appendKeyString(dst, f.Name)
		dst = append(dst, 0, byte(core.KindString), 0)
		return appendKeyString(dst, f.Str())
	}
	dst = appendKeyString(dst, f.Name)
	dst = appendKeyString(dst, f.Representation)
	k := f.Kind()
	rep := byte(0)
	if f.Repeated() {
		rep = 1
	}
	dst = append(dst, byte(k), rep)
	switch {
	case k == core.KindGroup:
		g := f.GroupValue()
		dst = binary.AppendUvarint(dst, uint64(len(g)))
		for i := range g {
			dst = appendKeyField(dst, &g[i])
		}
	case f.Repeated():
		dst = binary.AppendUvarint(dst, uint64(f.Len()))
		switch k {
		case core.KindString:
			for _, s := range f.StringsValue() {
				dst = appendKeyString(dst, s)
			}
		case core.KindBytes:
			for _, b := range f.ByteSlicesValue() {
				dst = appendKeyString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
			}
		case core.KindInt:
			for _, v := range f.IntsValue() {
				dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
			}
		case core.KindFloat:
			for _, v := range f.FloatsValue() {
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
			}
		case core.KindBool:
			for _, v := range f.BoolsValue() {
				dst = append(dst, b2u8(v))
			}
		}
	default:
		switch k {
		case core.KindString:
			dst = appendKeyString(dst, f.Str())
		case core.KindBytes, core.KindJSON:
			b := f.BytesValue()
			dst = appendKeyString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
		case core.KindInt:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(f.IntValue()))
		case core.KindFloat:
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f.FloatValue()))
		case core.KindBool:
			dst = append(dst, b2u8(f.BoolValue()))
		}
	}
	return dst
}

func b2u8(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// cloneField returns a deep copy of f, so that a series does not keep
// memory the caller may reuse.
func cloneField(f core.Field) core.Field {
	var c core.Field
	name := strings.Clone(f.Name)
	k := f.Kind()
	switch {
	case k == core.KindGroup:
		g := f.GroupValue()
		cg := make([]core.Field, len(g))
		for i := range g {
			cg[i] = cloneField(g[i])
		}
		c = core.Group(name, cg...)
	case f.Repeated():
		switch k {
		case core.KindString:
			vs := slices.Clone(f.StringsValue())
			for i := range vs {
				vs[i] = strings.Clone(vs[i])
			}
			c = core.Strings(name, vs)
		case core.KindBytes:
			vs := slices.Clone(f.ByteSlicesValue())
			for i := range vs {
				vs[i] = bytes.Clone(vs[i])
			}
			c = core.ByteSlices(name, vs)
		case core.KindInt:
			c = core.Ints(name, slices.Clone(f.IntsValue()))
		case core.KindFloat:
			c = core.Floats(name, slices.Clone(f.FloatsValue()))
		case core.KindBool:
			c = core.Bools(name, slices.Clone(f.BoolsValue()))
		}
	default:
		switch v := f.Value().(type) {
		case string:
			c = core.String(name, strings.Clone(v))
		case []byte:
			if k == core.KindJSON {
				c = core.RawJSON(name, bytes.Clone(v))
			} else {
				c = core.Bytes(name, bytes.Clone(v))
			}
		case int64:
			c = core.Int64(name, v)
		case uint64:
			c = core.Uint64(name, v)
		case float64:
			c = core.Float(name, v)
		case bool:
			c = core.Bool(name, v)
		default:
			c = core.String(name, "")
		}
	}
	return c.WithRepresentation(strings.Clone(f.Representation))
}
