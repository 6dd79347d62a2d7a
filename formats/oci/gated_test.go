package oci

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

func tagRoute(t *testing.T, path string) formats.Route {
	t.Helper()
	rt, err := New().Route(httptest.NewRequest("GET", "/v2/m"+path, nil), path)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func TestSubjectAndRefs(t *testing.T) {
	f := New()
	d := "sha256:" + strings.Repeat("a", 64)
	for path, want := range map[string][2]string{
		"/org/image/manifests/v1.2": {"org/image", "v1.2"},
		"/org/image/manifests/" + d: {"org/image", d},
		"/org/image/blobs/" + d:     {"org/image", ""},
		"/org/image/tags/list":      {"org/image", ""},
	} {
		name, version, ok := f.Subject(tagRoute(t, path))
		if !ok || name != want[0] || version != want[1] {
			t.Errorf("Subject(%s) = %q %q %v", path, name, version, ok)
		}
	}
	if repo, tag, ok := f.Tag(tagRoute(t, "/org/image/manifests/v1")); !ok || repo != "org/image" || tag != "v1" {
		t.Errorf("Tag = %q %q %v", repo, tag, ok)
	}
	if _, _, ok := f.Tag(tagRoute(t, "/org/image/manifests/"+d)); ok {
		t.Error("a digest read as a tag")
	}
	if repo, dg, ok := f.Digest(tagRoute(t, "/org/image/manifests/"+d)); !ok || repo != "org/image" || dg != d {
		t.Errorf("Digest = %q %q %v", repo, dg, ok)
	}
	config, children := f.ManifestRefs([]byte(`{"config":{"digest":"` + d + `"},"manifests":[{"digest":"` + d + `"},{"digest":"../x"}]}`))
	if config != d || len(children) != 1 {
		t.Errorf("ManifestRefs = %q %v", config, children)
	}
	if got := f.Created([]byte(`{"created":"2026-01-02T03:04:05Z"}`)); !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("Created = %v", got)
	}
	if got := f.Created([]byte(`{"created":"1970-01-01T00:00:00Z"}`)); !got.IsZero() {
		t.Errorf("an epoch created is a real time: %v", got)
	}
}

func TestTagPatternsAndTagList(t *testing.T) {
	g, err := gate.Compile("policy", gate.Spec{Deny: []string{"org/image@*-rc*"}}, Tags{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (Tags{}).ParseRange("[bad"); err == nil {
		t.Error("a bad tag pattern was accepted")
	}
	judge := func(tag string, _ time.Time) gate.Reason {
		return g.Decide(gate.Version{Name: "org/image", Version: tag}, time.Now())
	}
	out, hidden, err := New().FilterVersions(tagRoute(t, "/org/image/tags/list"), []byte(`{"name":"org/image","tags":["v1","v2-rc1"]}`), judge)
	if err != nil || len(hidden) != 1 || hidden[0].Version != "v2-rc1" || strings.Contains(string(out), "rc1") || !strings.Contains(string(out), `"v1"`) {
		t.Errorf("FilterVersions = %s %+v %v", out, hidden, err)
	}
}
