package nuget

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

// IsIndex implements formats.IndexFilter: search and autocomplete answers list
// many packages.
func (Format) IsIndex(rt formats.Route) bool {
	k, err := parseKey(rt.Key)
	return err == nil && (k.slug == slugQuery || k.slug == slugComplete)
}

// PackageRoute implements formats.IndexFilter: the id's versions index, whose
// versions its registration dates.
func (Format) PackageRoute(rt formats.Route, id string) (formats.Route, bool) {
	k, err := parseKey(rt.Key)
	if err != nil {
		return formats.Route{}, false
	}
	return versionsRoute(k.feed, id), true
}

// FilterIndex implements formats.IndexFilter. A search result loses its refused
// versions, its version becomes the newest kept, and a result with none kept (or
// whose package is refused) leaves the answer, totalHits counting it no more. An
// autocomplete of ids loses the refused packages; one of an id's versions
// (id=...) the refused versions.
func (Format) FilterIndex(rt formats.Route, doc []byte, judge func(name, version string, released time.Time) gate.Reason,
	_ func(string) ([]byte, []formats.Hidden, bool)) ([]byte, []formats.Hidden, error) {
	k, err := parseKey(rt.Key)
	if err != nil {
		return nil, nil, err
	}
	obj, err := decodeObject(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("search answer: %w", err)
	}
	data, _ := obj["data"].([]any)
	var kept []any
	var hidden []formats.Hidden
	switch {
	case k.slug == slugQuery:
		kept, hidden = filterResults(data, judge)
	default:
		kept, hidden = filterCompletions(data, completedID(rt.Key), judge)
	}
	if len(hidden) == 0 {
		return doc, nil, nil
	}
	if n, ok := obj["totalHits"]; ok && len(kept) < len(data) {
		obj["totalHits"] = lessHits(n, len(data)-len(kept))
	}
	obj["data"] = nonNil(kept)
	out, err := encode(obj)
	return out, hidden, err
}

func filterResults(data []any, judge func(string, string, time.Time) gate.Reason) (kept []any, hidden []formats.Hidden) {
	for _, d := range data {
		res, ok := d.(map[string]any)
		id, err := normalID(str(res["id"]))
		if !ok || err != nil {
			kept = append(kept, d)
			continue
		}
		if reason := judge(id, "", time.Time{}); reason.Refused() {
			hidden = append(hidden, formats.Hidden{Version: id, Reason: reason})
			continue
		}
		vs, _ := res["versions"].([]any)
		var keptVs []any
		newest, lost := "", false
		for _, v := range vs {
			vo, _ := v.(map[string]any)
			ver, err := normalVersion(str(vo["version"]))
			if err == nil {
				if reason := judge(id, ver, time.Time{}); reason.Refused() {
					hidden = append(hidden, formats.Hidden{Version: id + "@" + ver, Reason: reason})
					lost = true
					continue
				}
				if newest == "" || (Versions{}).Compare(ver, newest) > 0 {
					newest = str(vo["version"])
				}
			}
			keptVs = append(keptVs, v)
		}
		if !lost {
			kept = append(kept, d)
			continue
		}
		if newest == "" {
			continue // nothing of it may be taken
		}
		res["versions"] = keptVs
		if cur, err := normalVersion(str(res["version"])); err != nil || judge(id, cur, time.Time{}).Refused() {
			res["version"] = newest
		}
		kept = append(kept, res)
	}
	return kept, hidden
}

// completedID is the id= of an autocomplete of versions, or "".
func completedID(key string) string {
	_, q, _ := strings.Cut(key, "?")
	v, _ := url.ParseQuery(q)
	id, err := normalID(v.Get("id"))
	if err != nil {
		return ""
	}
	return id
}

func filterCompletions(data []any, id string, judge func(string, string, time.Time) gate.Reason) (kept []any, hidden []formats.Hidden) {
	for _, d := range data {
		s, _ := d.(string)
		name, ver := s, ""
		if id != "" {
			name = id
			v, err := normalVersion(s)
			if err != nil {
				kept = append(kept, d)
				continue
			}
			ver = v
		} else if n, err := normalID(s); err == nil {
			name = n
		}
		if reason := judge(name, ver, time.Time{}); reason.Refused() {
			label := name
			if ver != "" {
				label += "@" + ver
			}
			hidden = append(hidden, formats.Hidden{Version: label, Reason: reason})
			continue
		}
		kept = append(kept, d)
	}
	return kept, hidden
}

// lessHits lowers a totalHits by n, never under zero.
func lessHits(n any, less int) any {
	var total int64
	switch t := n.(type) {
	case interface{ Int64() (int64, error) }:
		total, _ = t.Int64()
	case float64:
		total = int64(t)
	default:
		return n
	}
	return max(total-int64(less), 0)
}
