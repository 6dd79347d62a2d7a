package rubygems

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"hoard/formats"
)

// maxSpecsSize bounds a full index file once decompressed.
const maxSpecsSize = 256 << 20

// filterSpecs drops from a full index file (gzipped Marshal of [name,
// Gem::Version, platform] triples) every entry the policy refuses. Its gems are
// too many to date each by its /info, so an entry is judged by deny and allow
// alone, unless its gem's /info is held and hides the version. latest_specs
// loses a hidden latest version rather than naming the one before it.
func filterSpecs(doc []byte, judge indexJudge, packageDoc func(string) ([]byte, []formats.Hidden, bool)) ([]byte, []formats.Hidden, error) {
	zr, err := gzip.NewReader(bytes.NewReader(doc))
	if err != nil {
		return nil, nil, fmt.Errorf("specs index: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxSpecsSize+1))
	if err != nil || len(raw) > maxSpecsSize {
		return nil, nil, fmt.Errorf("specs index unreadable or over %d bytes once decompressed", maxSpecsSize)
	}
	tree, err := rubyUnmarshal(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("specs index: %w", err)
	}
	top, ok := tree.(*rbArray)
	if !ok {
		return nil, nil, fmt.Errorf("specs index: %w: not an Array", errMarshal)
	}
	f := gemLineFilter{judge: judge, packageDoc: packageDoc, gems: map[string]*gemVerdict{}}
	var kept []any
	for _, e := range top.elems {
		name, version, ok := specsEntry(e)
		if ok && f.refuses(name, version) {
			continue
		}
		kept = append(kept, e)
	}
	if len(f.hidden) == 0 {
		return doc, nil, nil
	}
	out, err := rubyMarshal(&rbArray{elems: kept})
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(out)
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), f.hidden, nil
}

// refuses judges one version of a gem listed in the full index.
func (f *gemLineFilter) refuses(name, version string) bool {
	v := f.verdict(name, true)
	if v.refused {
		f.hidden = append(f.hidden, formats.Hidden{Version: name + "@" + version, Reason: v.reason})
		return true
	}
	if v.hide[version] {
		return true // named in hidden when its /info was filtered
	}
	if reason := f.judge(name, version, formats.JudgedWithoutAge); reason.Refused() {
		f.hidden = append(f.hidden, formats.Hidden{Version: name + "@" + version, Reason: reason})
		return true
	}
	return false
}

// specsEntry reads [name, Gem::Version, platform].
func specsEntry(e any) (name, version string, ok bool) {
	a, isArr := e.(*rbArray)
	if !isArr || len(a.elems) != 3 {
		return "", "", false
	}
	name, ok = rubyText(a.elems[0])
	u, isUser := a.elems[1].(*rbUser)
	if !ok || !isUser || u.class != "Gem::Version" {
		return "", "", false
	}
	if d, isArr := u.data.(*rbArray); isArr && len(d.elems) == 1 {
		version, ok = rubyText(d.elems[0])
		return name, version, ok && validName(name) == nil
	}
	return "", "", false
}

// rubyText is a String's text, with or without its encoding.
func rubyText(v any) (string, bool) {
	if w, ok := v.(*rbIvars); ok {
		v = w.obj
	}
	s, ok := v.(rbString)
	return string(s), ok
}
