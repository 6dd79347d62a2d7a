package conformance

import (
	"net/http"
	"net/url"
	"strings"

	"hoard/formats"
)

// isRead: kinds the engine caches on a read.
func isRead(k formats.Kind) bool { return k == formats.Artifact || k == formats.Metadata }

// checkClassification: every sample routes to its kind and pinned key, reads have a
// key, metadata has a TTL class, and what is passed through has no key.
func checkClassification(t T, s Subject) {
	t.Helper()
	f := s.New()
	kinds := map[formats.Kind]bool{}
	for _, sm := range s.Samples {
		rt, err := route(f, sm.Request)
		if err != nil {
			t.Errorf("%s: refused: %v", describe(sm.Request), err)
			continue
		}
		kinds[rt.Kind] = true
		if rt.Kind != sm.Kind || rt.Key != sm.Key {
			t.Errorf("%s: routed as %v %q, want %v %q", describe(sm.Request), rt.Kind, rt.Key, sm.Kind, sm.Key)
		}
		switch {
		case isRead(rt.Kind) && rt.Key == "":
			t.Errorf("%s: a cached read without a key", describe(sm.Request))
		case rt.Kind == formats.Metadata && rt.TTLClass == "":
			t.Errorf("%s: metadata without a TTL class", describe(sm.Request))
		case rt.Kind == formats.Passthrough && rt.Key != "":
			t.Errorf("%s: passthrough with a key", describe(sm.Request))
		case rt.CacheOnSuccess && rt.Key == "":
			t.Errorf("%s: cached on success without a key", describe(sm.Request))
		}
		if rt.Key != "" && !safeKey(rt.Key) {
			t.Errorf("%s: unsafe key %q", describe(sm.Request), rt.Key)
		}
		if !safePath(rt.Path) {
			t.Errorf("%s: unsafe upstream path %q", describe(sm.Request), rt.Path)
		}
	}
	for _, k := range []formats.Kind{formats.Artifact, formats.Metadata} {
		if !kinds[k] {
			t.Errorf("no sample reads %v content: every format has immutable content and metadata", k)
		}
	}
}

// checkKeyStability: a read's key depends on what it asks for, not on who asks
// or how: the same request routed twice, as a HEAD, or with credentials and
// another client's headers has the same key, and different reads have different
// keys.
func checkKeyStability(t T, s Subject) {
	t.Helper()
	f := s.New()
	owner := map[string]string{}
	for _, sm := range s.Samples {
		if !isRead(sm.Kind) {
			continue
		}
		first, err1 := route(f, sm.Request)
		again, err2 := route(f, sm.Request)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: refused: %v, %v", describe(sm.Request), err1, err2)
			continue
		}
		if first.Key != again.Key {
			t.Errorf("%s: key %q, then %q", describe(sm.Request), first.Key, again.Key)
		}
		head := sm.Request
		head.Method = http.MethodHead
		if rt, err := route(f, head); err != nil || rt.Key != first.Key || rt.Kind != first.Kind {
			t.Errorf("%s: HEAD routed as %v %q (%v), GET as %v %q", describe(sm.Request), rt.Kind, rt.Key, err, first.Kind, first.Key)
		}
		other := sm.Request
		other.Header = sm.Header.Clone()
		if other.Header == nil {
			other.Header = http.Header{}
		}
		other.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
		other.Header.Set("User-Agent", "conformance/1")
		other.Header.Set("X-Request-Id", "conformance")
		if rt, err := route(f, other); err != nil || rt.Key != first.Key {
			t.Errorf("%s: with credentials the key is %q (%v), without %q", describe(sm.Request), rt.Key, err, first.Key)
		}
		if prev, ok := owner[first.Key]; ok && prev != sm.Path {
			t.Errorf("%s and %s share the key %q", prev, sm.Path, first.Key)
		}
		owner[first.Key] = sm.Path
	}
}

// traversalForms are spliced into and around each segment of the read samples.
var traversalForms = []string{
	"..", ".", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%2e", "..%2f..", "..%2F..", "..%5c..", "..%5C..",
	"%2e%2e%2f", "..;", "%00", "a%00b", "%252e%252e", "%c0%ae%c0%ae", "", "..%00", "%5c",
}

// checkTraversal: a path with a traversal form anywhere is refused, or read into a
// key and an upstream path that stay where they belong.
func checkTraversal(t T, s Subject) {
	t.Helper()
	f := s.New()
	for _, sm := range s.Samples {
		if !isRead(sm.Kind) {
			continue
		}
		path, query, _ := strings.Cut(sm.Path, "?")
		segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
		for i := range segs {
			for _, form := range traversalForms {
				for _, hostile := range splices(segs, i, form) {
					req := sm.Request
					req.Path = hostile
					if query != "" {
						req.Path += "?" + query
					}
					rt, err := route(f, req)
					if err != nil {
						continue
					}
					if rt.Key != "" && !safeKey(rt.Key) {
						t.Errorf("%s: read into key %q", describe(req), rt.Key)
					}
					if !safePath(rt.Path) {
						t.Errorf("%s: read into upstream path %q", describe(req), rt.Path)
					}
				}
			}
		}
	}
}

// splices are segs with segment i replaced by form, and with form inserted before it.
func splices(segs []string, i int, form string) []string {
	replaced := append(append(append([]string{}, segs[:i]...), form), segs[i+1:]...)
	inserted := append(append(append([]string{}, segs[:i]...), form), segs[i:]...)
	return []string{"/" + strings.Join(replaced, "/"), "/" + strings.Join(inserted, "/")}
}

// safeKey: a cache key names content inside its mount, so no segment of it, raw or
// decoded, may step out or be empty, and it holds no NUL, backslash or control byte.
func safeKey(key string) bool {
	if strings.HasPrefix(key, "/") || !safeBytes(key) {
		return false
	}
	for _, form := range []string{key, unescaped(key)} {
		path, _, _ := strings.Cut(form, "?")
		for _, seg := range strings.Split(path, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return false
			}
		}
	}
	return true
}

// safePath: an upstream path starts with a slash, and neither it nor its decoded
// form has a segment that steps out, a NUL, a backslash or a control byte.
func safePath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	path, _, _ := strings.Cut(p, "?")
	dec, err := url.PathUnescape(path)
	if err != nil || !safeBytes(path) || !safeBytes(dec) {
		return false
	}
	for _, seg := range strings.Split(dec, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func unescaped(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

func safeBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}
