package main

import (
	"errors"
	"strings"
)

// The markers around the generated section of the README.
const (
	beginMarker = "<!-- bench:begin -->"
	endMarker   = "<!-- bench:end -->"
)

// replaceSection returns doc with the text between the markers replaced
// by section (the markers stay, each on its own line).
func replaceSection(doc, section string) (string, error) {
	i := strings.Index(doc, beginMarker)
	j := strings.Index(doc, endMarker)
	switch {
	case i < 0 || j < 0:
		return "", errors.New("the README has no " + beginMarker + " ... " + endMarker + " section")
	case j < i:
		return "", errors.New("the README's " + endMarker + " comes before " + beginMarker)
	case strings.Count(doc, beginMarker) != 1 || strings.Count(doc, endMarker) != 1:
		return "", errors.New("the README has more than one bench section")
	}
	return doc[:i+len(beginMarker)] + "\n" + strings.TrimSpace(section) + "\n" + doc[j:], nil
}
