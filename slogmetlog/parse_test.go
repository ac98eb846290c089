package slogmetlog

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/metlog-go/metlog/core"
)

// recordMap rebuilds from a decoded message the map testing/slogtest
// wants: slog.TimeKey (unless the message says the record had no time),
// slog.LevelKey, slog.MessageKey and the attributes, groups as nested maps.
// JSON decoding yields nested groups; Heka yields dotted names, which are
// split here.
func recordMap(m *core.Message, f core.Format) (map[string]any, error) {
	out := map[string]any{
		slog.LevelKey:   m.Severity.String(),
		slog.MessageKey: m.Payload,
	}
	timeUnset := false
	for _, fl := range m.Fields {
		if fl.Name == TimeUnsetField {
			if fl.Kind() != core.KindBool || !fl.BoolValue() {
				return nil, fmt.Errorf("%s is %v, want true", TimeUnsetField, fl.Value())
			}
			timeUnset = true
			continue
		}
		path := []string{fl.Name}
		if f == core.FormatHeka {
			path = strings.Split(fl.Name, ".")
		}
		if err := insert(out, path, fl); err != nil {
			return nil, err
		}
	}
	if !timeUnset && !m.Timestamp.IsZero() {
		out[slog.TimeKey] = m.Timestamp
	}
	return out, nil
}

func insert(dst map[string]any, path []string, f core.Field) error {
	for _, p := range path[:len(path)-1] {
		sub, ok := dst[p].(map[string]any)
		if !ok {
			if _, taken := dst[p]; taken {
				return fmt.Errorf("field %q: %q is both a value and a group", f.Name, p)
			}
			sub = map[string]any{}
			dst[p] = sub
		}
		dst = sub
	}
	key := path[len(path)-1]
	if _, taken := dst[key]; taken && f.Kind() != core.KindGroup {
		return fmt.Errorf("field %q written twice", f.Name)
	}
	if f.Kind() != core.KindGroup {
		dst[key] = f.Value()
		return nil
	}
	sub, ok := dst[key].(map[string]any)
	if !ok {
		sub = map[string]any{}
		dst[key] = sub
	}
	for _, g := range f.GroupValue() {
		if err := insert(sub, []string{g.Name}, g); err != nil {
			return err
		}
	}
	return nil
}
