package oci

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"hoard/formats"
)

// segmentsRoute is Route as first written, splitting the path into segments and
// joining the name back: the reference Route's single-pass reading must match.
func segmentsRoute(f Format, r *http.Request, rest string) (formats.Route, error) {
	trailing := len(rest) > 1 && strings.HasSuffix(rest, "/")
	segs, err := formats.Segments(strings.TrimSuffix(rest, "/"), isRefByte)
	if err != nil {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeNameInvalid, "%v", err)
	}
	key := strings.Join(segs, "/")
	n := len(segs)
	named := func(segs []string, fn func(name string) (formats.Route, error)) (formats.Route, error) {
		return f.withName(strings.Join(segs, "/"), fn)
	}
	if n >= 3 && segs[n-2] == "blobs" && segs[n-1] == "uploads" {
		return named(segs[:n-2], func(name string) (formats.Route, error) { return uploadStart(r, name) })
	}
	if trailing {
		return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "no endpoint at this path")
	}
	switch {
	case n >= 4 && segs[n-3] == "blobs" && segs[n-2] == "uploads":
		return named(segs[:n-3], func(name string) (formats.Route, error) { return uploadSession(r, name, segs[n-1]) })
	case n >= 3 && segs[n-2] == "manifests":
		return named(segs[:n-2], func(name string) (formats.Route, error) { return f.manifest(r, name, segs[n-1], key) })
	case n >= 3 && segs[n-2] == "blobs":
		return named(segs[:n-2], func(name string) (formats.Route, error) { return blob(r, name, segs[n-1], key) })
	case n >= 3 && segs[n-2] == "tags" && segs[n-1] == "list":
		return named(segs[:n-2], func(name string) (formats.Route, error) { return f.tagList(r, name) })
	case n >= 3 && segs[n-2] == "referrers":
		return named(segs[:n-2], func(name string) (formats.Route, error) { return f.referrers(r, name, segs[n-1]) })
	}
	return formats.Route{}, errorf(formats.ErrBadPath, CodeUnsupported, "no endpoint at this path")
}

func TestRouteMatchesSegmentsRoute(t *testing.T) {
	words := []string{"a", "b-c", "blobs", "uploads", "manifests", "tags", "list", "referrers", "v1", d256, d512,
		"%61", "%2e", ".", "..", "", "UP", "x_y"}
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	rng := rand.New(rand.NewPCG(3, 4))
	// Pushes and deletes bump per-repository generations, so each side has its own
	// Format, fed the same requests in the same order.
	f, ref := New(), New()
	for i := 0; i < 50_000; i++ {
		parts := make([]string, 1+rng.IntN(6))
		for j := range parts {
			parts[j] = words[rng.IntN(len(words))]
		}
		rest := "/" + strings.Join(parts, "/")
		if rng.IntN(4) == 0 {
			rest += "/"
		}
		method := methods[rng.IntN(len(methods))]
		r := request(method, "/v2/m"+rest, allTypes)
		got, gotErr := f.Route(r, rest)
		want, wantErr := segmentsRoute(ref, request(method, "/v2/m"+rest, allTypes), rest)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %s:\n got %+v, %v\nwant %+v, %v", method, rest, got, gotErr, want, wantErr)
		}
	}
}
