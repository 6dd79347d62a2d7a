// Package routecheck states what every formats.Route must hold whatever request it
// was made of, for the fuzz targets of each format: no key or upstream path that
// could climb out of its place.
package routecheck

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"hoard/formats"
)

// upstreamBase is where Route.Path is appended, as the proxy does.
const upstreamBase = "http://upstream.test/base"

// Check returns what is wrong with rt, or nil: its keys (Key, Invalidate) are
// relative, with no "." or ".." segment, no
// NUL, no backslash and no control character; its Path decodes to a path that
// stays under the upstream base URL it is appended to, with at most a canonical
// query.
func Check(rt formats.Route) error {
	keys := append([]string{rt.Key}, rt.Invalidate...)
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return err
		}
	}
	return checkPath(rt.Path)
}

// CheckWith is Check, and Check of what f says of rt besides: its alternates'
// keys and its sidecars' routes.
func CheckWith(f formats.Format, rt formats.Route) error {
	if err := Check(rt); err != nil {
		return err
	}
	if a, ok := f.(formats.Alternator); ok {
		for _, k := range a.Alternates(rt) {
			if err := checkKey(k); err != nil {
				return fmt.Errorf("alternate: %w", err)
			}
		}
	}
	if l, ok := f.(formats.SidecarLister); ok {
		for _, s := range l.Sidecars(rt) {
			if err := Check(s.Route); err != nil {
				return fmt.Errorf("sidecar: %w", err)
			}
		}
	}
	return nil
}

func checkKey(k string) error {
	if k == "" {
		return nil
	}
	if strings.HasPrefix(k, "/") {
		return fmt.Errorf("key %q is absolute", k)
	}
	return checkClean("key", k)
}

func checkClean(what, s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("%s %q holds byte %#x", what, s, c)
		}
	}
	for _, seg := range strings.Split(s, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("%s %q has a %q segment", what, s, seg)
		}
	}
	return nil
}

// checkPath appends p to the base the way an upstream URL is built and checks
// the result, raw and decoded, stays below the base.
func checkPath(p string) error {
	if p == "" {
		return nil
	}
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q does not start with /", p)
	}
	u, err := url.Parse(upstreamBase + p)
	if err != nil {
		return fmt.Errorf("path %q makes no URL: %v", p, err)
	}
	// A query is allowed where a format builds one from parameters it checked
	// (OCI's tag list ?last=): it must parse and be in canonical form.
	if u.Host != "upstream.test" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("path %q changes the URL's host or adds a fragment: %s", p, u)
	}
	if q, err := url.ParseQuery(u.RawQuery); err != nil || q.Encode() != u.RawQuery {
		return fmt.Errorf("path %q carries a query %q not in canonical form", p, u.RawQuery)
	}
	if err := checkClean("path", u.EscapedPath()); err != nil {
		return err
	}
	if err := checkClean("decoded path", u.Path); err != nil {
		return err
	}
	if !strings.HasPrefix(path.Clean(u.Path), "/base/") {
		return fmt.Errorf("path %q leaves the base: %s", p, u.Path)
	}
	return nil
}
