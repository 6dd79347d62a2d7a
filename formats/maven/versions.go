package maven

import (
	"strings"

	"hoard/policy/gate"
)

// Versions is Maven's version scheme for operator policies: versions ordered as
// Maven's ComparableVersion orders them (flattened: a '-' starts no sub-list
// here, which orders the versions Maven repositories publish alike), and ranges as a POM writes them
// ("[1.0,2.0)", "(,1.5]", "[1.2]", unions "(,1.0],[1.2,)"). A bare version in a
// policy means that version exactly.
type Versions struct{}

var _ gate.Scheme = Versions{}

// Compare implements gate.Scheme.
func (Versions) Compare(a, b string) int {
	return compareItems(versionItems(a), versionItems(b))
}

// item is one piece of a version: a number, or a qualifier.
type item struct {
	num     string // digits without leading zeros, when numeric
	qual    string // lower-case qualifier, when not
	numeric bool
}

// versionItems splits a version at '.', '-' and at every change between digits
// and letters, and drops the trailing items equal to nothing ("1.0" is "1").
func versionItems(v string) []item {
	var items []item
	v = strings.ToLower(v)
	start := 0
	flush := func(end int) {
		if end > start {
			items = append(items, newItem(v[start:end]))
		} else if end == start && end < len(v) {
			items = append(items, item{numeric: true}) // "1..2": an empty number
		}
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '.' || c == '-' {
			flush(i)
			start = i + 1
			continue
		}
		if i > start && isDigit(c) != isDigit(v[i-1]) {
			flush(i)
			start = i
		}
	}
	flush(len(v))
	for len(items) > 0 && items[len(items)-1].isNull() {
		items = items[:len(items)-1]
	}
	return items
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func newItem(s string) item {
	if isDigit(s[0]) {
		s = strings.TrimLeft(s, "0")
		return item{num: s, numeric: true}
	}
	switch s { // the aliases Maven knows
	case "a":
		s = "alpha"
	case "b":
		s = "beta"
	case "m":
		s = "milestone"
	case "cr":
		s = "rc"
	case "ga", "final", "release":
		s = ""
	}
	return item{qual: s}
}

func (it item) isNull() bool { return it.num == "" && it.qual == "" }

// qualifierRank orders the known qualifiers; unknown ones sort after them all,
// among themselves by text.
var qualifierRank = map[string]int{"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6}

func compareQual(a, b string) int {
	ra, okA := qualifierRank[a]
	rb, okB := qualifierRank[b]
	switch {
	case okA && okB:
		return cmp3(ra, rb)
	case okA:
		return -1
	case okB:
		return 1
	}
	return strings.Compare(a, b)
}

func compareItem(a, b item) int {
	switch {
	case a.numeric && b.numeric:
		if len(a.num) != len(b.num) {
			return cmp3(len(a.num), len(b.num))
		}
		return strings.Compare(a.num, b.num)
	case a.numeric: // a number sorts after any qualifier
		return 1
	case b.numeric:
		return -1
	}
	return compareQual(a.qual, b.qual)
}

// compareItems pads the shorter list with null items: a missing number is 0, a
// missing qualifier is a release (so 1.0-alpha < 1.0 < 1.0-sp < 1.0.1).
func compareItems(a, b []item) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		if c := compareNullable(itemAt(a, i), itemAt(b, i)); c != 0 {
			return c
		}
	}
	return 0
}

func itemAt(items []item, i int) item {
	if i < len(items) {
		return items[i]
	}
	return item{} // null: a release qualifier, or 0 against a number
}

// compareNullable compares items where a missing one is numeric 0 against a
// number and a release against a qualifier.
func compareNullable(x, y item) int {
	if x.isNull() && y.numeric {
		x = item{numeric: true}
	}
	if y.isNull() && x.numeric {
		y = item{numeric: true}
	}
	return compareItem(x, y)
}

func cmp3(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
