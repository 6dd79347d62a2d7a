package nuget

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

// judgeFunc is the policy's verdict on one version of the document's package.
type judgeFunc func(version string, released time.Time) gate.Reason

// FilterVersions implements formats.VersionFilter for a flat container's versions
// index and a registration index or page: a refused version leaves the list, a
// registration page its leaf; an inlined page left empty leaves its index, and
// every page's count, lower and upper describe the leaves it keeps. A page only
// linked from its index keeps the bounds the upstream gave it, which still cover
// what it holds once filtered (it is filtered when fetched). Versions are judged
// in their normalized form, as .nupkg routes name them; a leaf's release time is
// its catalog entry's published time.
func (Format) FilterVersions(rt formats.Route, doc []byte, judge func(string, time.Time) gate.Reason) ([]byte, []formats.Hidden, error) {
	k, err := parseKey(rt.Key)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case k.slug == slugDownload && k.rest == indexFile:
		return filterFlat(doc, judge)
	case regSlugs[k.slug] && k.rest == indexFile:
		return filterRegistration(doc, judge, false)
	case regSlugs[k.slug] && strings.HasPrefix(k.rest, "page/"):
		return filterRegistration(doc, judge, true)
	}
	return doc, nil, nil
}

func filterFlat(doc []byte, judge judgeFunc) ([]byte, []formats.Hidden, error) {
	obj, err := decodeObject(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("versions index: %w", err)
	}
	list, _ := obj["versions"].([]any)
	var kept []any
	var hidden []formats.Hidden
	for _, v := range list {
		s, _ := v.(string)
		ver, err := normalVersion(s)
		if err != nil {
			kept = append(kept, v)
			continue
		}
		if reason := judge(ver, time.Time{}); reason.Refused() {
			hidden = append(hidden, formats.Hidden{Version: ver, Reason: reason})
			continue
		}
		kept = append(kept, v)
	}
	if len(hidden) == 0 {
		return doc, nil, nil
	}
	obj["versions"] = nonNil(kept)
	out, err := encode(obj)
	return out, hidden, err
}

// filterRegistration filters an index (its pages) or, when page is true, one
// page fetched on its own.
func filterRegistration(doc []byte, judge judgeFunc, page bool) ([]byte, []formats.Hidden, error) {
	obj, err := decodeObject(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("registration: %w", err)
	}
	if page {
		hidden := filterPage(obj, judge)
		if len(hidden) == 0 {
			return doc, nil, nil
		}
		out, err := encode(obj)
		return out, hidden, err
	}
	pages, _ := obj["items"].([]any)
	var kept []any
	var hidden []formats.Hidden
	for _, p := range pages {
		pm, ok := p.(map[string]any)
		if !ok {
			kept = append(kept, p)
			continue
		}
		h := filterPage(pm, judge)
		hidden = append(hidden, h...)
		if _, inlined := pm["items"]; inlined && len(h) > 0 && len(pm["items"].([]any)) == 0 {
			continue // an inlined page with nothing left goes
		}
		kept = append(kept, p)
	}
	if len(hidden) == 0 {
		return doc, nil, nil
	}
	obj["items"] = nonNil(kept)
	obj["count"] = len(kept)
	out, err := encode(obj)
	return out, hidden, err
}

// filterPage drops the refused leaves of a page holding its leaves and makes its
// count and bounds those of the leaves kept; a page without items is left alone.
func filterPage(page map[string]any, judge judgeFunc) []formats.Hidden {
	leaves, ok := page["items"].([]any)
	if !ok {
		return nil
	}
	var kept []any
	var hidden []formats.Hidden
	var lo, hi string
	for _, l := range leaves {
		ver, released, ok := leafVersion(l)
		if ok {
			if reason := judge(ver, released); reason.Refused() {
				hidden = append(hidden, formats.Hidden{Version: ver, Reason: reason})
				continue
			}
		}
		kept = append(kept, l)
		if !ok {
			continue
		}
		if lo == "" || (Versions{}).Compare(ver, lo) < 0 {
			lo = ver
		}
		if hi == "" || (Versions{}).Compare(ver, hi) > 0 {
			hi = ver
		}
	}
	if len(hidden) == 0 {
		return nil
	}
	page["items"] = nonNil(kept)
	page["count"] = len(kept)
	if lo != "" {
		page["lower"], page["upper"] = lo, hi
	}
	return hidden
}

// leafVersion reads a leaf's normalized version and its published time (zero
// when it states none).
func leafVersion(l any) (string, time.Time, bool) {
	leaf, _ := l.(map[string]any)
	ce, _ := leaf["catalogEntry"].(map[string]any)
	ver, err := normalVersion(str(ce["version"]))
	if err != nil {
		return "", time.Time{}, false
	}
	t, _ := time.Parse(time.RFC3339Nano, str(ce["published"]))
	return ver, t, true
}

// ReleaseTimes implements formats.ReleaseDater: the published time of every leaf
// a registration index holds inline. Versions on pages it only links are not
// dated here (they are judged by when Hoard first saw them).
func (Format) ReleaseTimes(doc []byte) map[string]time.Time {
	var reg struct {
		Items []struct {
			Items []struct {
				CatalogEntry struct {
					Version   string `json:"version"`
					Published string `json:"published"`
				} `json:"catalogEntry"`
			} `json:"items"`
		} `json:"items"`
	}
	if json.Unmarshal(doc, &reg) != nil {
		return nil
	}
	out := map[string]time.Time{}
	for _, p := range reg.Items {
		for _, l := range p.Items {
			ver, err := normalVersion(l.CatalogEntry.Version)
			t, terr := time.Parse(time.RFC3339Nano, l.CatalogEntry.Published)
			if err == nil && terr == nil {
				out[ver] = t
			}
		}
	}
	return out
}

// nonNil keeps an emptied list a JSON array, never null.
func nonNil(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}
