package npm

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

var _ formats.VersionFilter = Format{}

// FilterVersions implements formats.VersionFilter for full and abbreviated
// packuments: a refused version leaves versions and time, and every dist-tag
// that named it moves to the newest version kept below it (a release for a
// release, so latest never becomes a prerelease), or goes when none is left.
// A version's release time is its entry in time.
func (Format) FilterVersions(rt formats.Route, doc []byte, judge func(string, time.Time) gate.Reason) ([]byte, []formats.Hidden, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, nil, fmt.Errorf("packument: %w", err)
	}
	var versions map[string]json.RawMessage
	if raw, ok := top["versions"]; !ok || isNull(raw) {
		return doc, nil, nil
	} else if err := json.Unmarshal(raw, &versions); err != nil {
		return nil, nil, fmt.Errorf("packument versions: %w", err)
	}
	times := map[string]json.RawMessage{}
	if raw, ok := top["time"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &times); err != nil {
			return nil, nil, fmt.Errorf("packument time: %w", err)
		}
	}
	var hidden []formats.Hidden
	for v := range versions {
		if reason := judge(v, releaseTime(times[v])); reason.Refused() {
			hidden = append(hidden, formats.Hidden{Version: v, Reason: reason})
		}
	}
	if len(hidden) == 0 {
		return doc, nil, nil
	}
	for _, h := range hidden {
		delete(versions, h.Version)
		delete(times, h.Version)
	}
	if err := repointTags(top, versions); err != nil {
		return nil, nil, err
	}
	if err := setMember(top, "versions", versions); err != nil {
		return nil, nil, err
	}
	if _, ok := top["time"]; ok {
		if err := setMember(top, "time", times); err != nil {
			return nil, nil, err
		}
	}
	out, err := encode(top)
	return out, hidden, err
}

// releaseTime reads one entry of time; zero when absent or unreadable.
func releaseTime(raw json.RawMessage) time.Time {
	var s string
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func setMember(top map[string]json.RawMessage, key string, v any) error {
	b, err := encode(v)
	if err != nil {
		return fmt.Errorf("packument %s: %w", key, err)
	}
	top[key] = b
	return nil
}

// repointTags moves every dist-tag naming a version no longer in kept.
func repointTags(top map[string]json.RawMessage, kept map[string]json.RawMessage) error {
	raw, ok := top["dist-tags"]
	if !ok || isNull(raw) {
		return nil
	}
	var tags map[string]string
	if err := json.Unmarshal(raw, &tags); err != nil {
		return fmt.Errorf("packument dist-tags: %w", err)
	}
	for tag, v := range tags {
		if _, ok := kept[v]; ok {
			continue
		}
		if next := newestBelow(kept, v); next != "" {
			tags[tag] = next
		} else {
			delete(tags, tag)
		}
	}
	return setMember(top, "dist-tags", tags)
}

// newestBelow is the newest version of kept that sorts below v, a release when v
// is one (or v is unreadable); "" when there is none.
func newestBelow(kept map[string]json.RawMessage, v string) string {
	limit, err := parseSemver(v)
	wantRelease := err != nil || len(limit.pre) == 0
	best, found := semver{}, ""
	for k := range kept {
		sv, bad := parseSemver(k)
		if bad != nil || (wantRelease && len(sv.pre) > 0) {
			continue
		}
		if err == nil && sv.compare(limit) >= 0 {
			continue
		}
		if found == "" || sv.compare(best) > 0 {
			best, found = sv, k
		}
	}
	return found
}

var _ formats.ReleaseDater = Format{}

// DatingRoute implements formats.ReleaseDater: a tarball, or an abbreviated
// packument (which may lack time), is dated by its package's full packument.
func (Format) DatingRoute(rt formats.Route) (formats.Route, bool) {
	if rt.Package == "" {
		return formats.Route{}, false
	}
	if rt.Kind == formats.Artifact || (rt.Kind == formats.Metadata && strings.HasSuffix(rt.Key, "@abbrev")) {
		return packument(rt.Package, false), true
	}
	return formats.Route{}, false
}

// ReleaseTimes implements formats.ReleaseDater.
func (Format) ReleaseTimes(doc []byte) map[string]time.Time {
	var p struct {
		Time map[string]json.RawMessage `json:"time"`
	}
	out := map[string]time.Time{}
	if json.Unmarshal(doc, &p) != nil {
		return out
	}
	for v, raw := range p.Time {
		if t := releaseTime(raw); !t.IsZero() && v != "created" && v != "modified" {
			out[v] = t
		}
	}
	return out
}
