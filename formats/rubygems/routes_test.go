package rubygems

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"hoard/formats"
)

func route(t *testing.T, method, path string) (formats.Route, error) {
	if t != nil {
		t.Helper()
	}
	r := httptest.NewRequest(method, "/m"+path, nil)
	return New().Route(r, r.URL.EscapedPath()[len("/m"):])
}

func TestRouteEndpoints(t *testing.T) {
	cases := []struct {
		method, path string
		kind         formats.Kind
		key, class   string
		pkg          string
	}{
		{"GET", "/acme/versions", formats.Metadata, "acme/versions", "versions", "acme"},
		{"HEAD", "/versions", formats.Metadata, "versions", "versions", ""},
		{"GET", "/acme/info/net-http", formats.Metadata, "acme/info/net-http", "info", "acme/net-http"},
		{"GET", "/acme/info/versions", formats.Metadata, "acme/info/versions", "info", "acme/versions"},
		{"GET", "/gems/versions", formats.Metadata, "gems/versions", "versions", "gems"},
		{"GET", "/acme/latest_specs.4.8.gz", formats.Metadata, "acme/latest_specs.4.8.gz", "specs", "acme"},
		{"GET", "/acme/gems/nokogiri-1.15.0-x86_64-linux.gem", formats.Artifact, "acme/gems/nokogiri-1.15.0-x86_64-linux.gem", "", "acme/nokogiri"},
		{"GET", "/acme/api/v1/dependencies?gems=b,a,b", formats.Metadata, "acme/api/v1/dependencies?gems=a,b", "dependencies", "acme"},
		{"GET", "/acme/api/v1/dependencies.json?gems=a", formats.Metadata, "acme/api/v1/dependencies.json?gems=a", "dependencies", "acme/a"},
		{"HEAD", "/acme/", formats.Metadata, "acme/versions", "versions", "acme"},
		{"HEAD", "/", formats.Metadata, "versions", "versions", ""},
		{"GET", "/acme/", formats.Passthrough, "", "", "acme"},
	}
	for _, c := range cases {
		rt, err := route(t, c.method, c.path)
		if err != nil {
			t.Errorf("%s %s: %v", c.method, c.path, err)
			continue
		}
		if rt.Kind != c.kind || rt.Key != c.key || rt.TTLClass != c.class || rt.Package != c.pkg {
			t.Errorf("%s %s: %v %q %q %q, want %v %q %q %q", c.method, c.path, rt.Kind, rt.Key, rt.TTLClass, rt.Package, c.kind, c.key, c.class, c.pkg)
		}
	}
}

func TestRouteRefuses(t *testing.T) {
	for _, c := range []struct{ method, path string }{
		{"GET", "/acme/info/..%2f..%2fetc"},
		{"GET", "/acme/info/-rf"},
		{"GET", "/acme/gems/notagem.gem"},
		{"GET", "/acme/gems/tool-1.0.0.tgz"},
		{"GET", "/acme/somewhere"},
		{"PUT", "/acme/versions"},
		{"POST", "/acme/api/v1/gems/tool/owners"},
		{"GET", "/acme/api/v1/dependencies?gems=../x"},
		{"GET", "/acme/api/v1/dependencies?gems=a&gems=b"},
	} {
		if rt, err := route(t, c.method, c.path); err == nil {
			t.Errorf("%s %s: accepted as %v %q", c.method, c.path, rt.Kind, rt.Key)
		}
	}
}

func TestPushAndYankRoutes(t *testing.T) {
	push, err := route(t, http.MethodPost, "/acme/api/v1/gems")
	if err != nil || push.Kind != formats.Publish || !push.ParseBody || pushPrefix(push) != "acme/" {
		t.Fatalf("push: %+v, %v", push, err)
	}
	want := []string{"acme/versions", "acme/names", "acme/specs.4.8.gz", "acme/latest_specs.4.8.gz", "acme/prerelease_specs.4.8.gz"}
	if !reflect.DeepEqual(push.Invalidate, want) {
		t.Errorf("push invalidates %v, want %v", push.Invalidate, want)
	}
	yank, err := route(t, http.MethodDelete, "/api/v1/gems/yank")
	if err != nil || yank.Kind != formats.Delete || !yank.ParseBody || pushPrefix(yank) != "" {
		t.Fatalf("yank: %+v, %v", yank, err)
	}
	got := New().BodyInvalidates(yank, []byte("gem_name=tool&version=1.0.0&platform=java"))
	want = []string{"info/tool", "gems/tool-1.0.0-java.gem", "quick/Marshal.4.8/tool-1.0.0-java.gemspec.rz"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("yank invalidates %v, want %v", got, want)
	}
	if _, err := New().ParsePublish(yank, []byte("gem_name=../x&version=1")); err == nil {
		t.Error("a yank naming ../x was accepted")
	}
}

func TestSplitFullName(t *testing.T) {
	cases := map[string][]fullName{
		"rails-html-sanitizer-1.4.3":   {{"rails-html-sanitizer", "1.4.3"}},
		"nokogiri-1.15.0-x86_64-linux": {{"nokogiri", "1.15.0-x86_64-linux"}},
		"foo-2-1.0":                    {{"foo-2", "1.0"}},
		"a-1-b-2":                      {{"a-1-b", "2"}, {"a", "1-b-2"}},
		"tool":                         nil,
		"-1.0":                         nil,
	}
	for stem, want := range cases {
		if got := splitFullName(stem); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", stem, got, want)
		}
	}
}

func TestSidecarsAndSums(t *testing.T) {
	rt, _ := route(t, "GET", "/acme/gems/tool-1.0.0.gem")
	scs := New().Sidecars(rt)
	if len(scs) != 1 || scs[0].Route.Key != "acme/info/tool" || scs[0].Entry != "1.0.0" {
		t.Fatalf("sidecars %+v", scs)
	}
	hexSum := "fe8077b56b57211cbb2b2b0773940cd138c921b656100b56f9d4d3f6b80e49a3"
	doc := "---\n1.0.0 dep:>= 1&< 2|checksum:" + hexSum + ",ruby:>= 2.7,created_at:2024-01-01T00:00:00Z\n" +
		"1.0.0-java |checksum:IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n" +
		"2.0.0 |ruby:>= 3\nnot a line\n"
	sums, err := New().Sums(scs[0].Route, []byte(doc), "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]formats.Checksum{
		"1.0.0":      {Algo: "sha256", Hex: hexSum},
		"1.0.0-java": {Algo: "sha256", Hex: "2222222222222222222222222222222222222222222222222222222222222222"},
	}
	if !reflect.DeepEqual(sums, want) {
		t.Errorf("sums %v, want %v", sums, want)
	}
}

func TestDocumentHeaders(t *testing.T) {
	h := New().DocumentHeaders(formats.Route{}, []byte("---\n"))
	// md5 and sha256 of "---\n", from md5sum and sha256sum.
	if h["ETag"] != `"6105347ebb9825ac754615ca55ff3b0c"` {
		t.Errorf("ETag %q", h["ETag"])
	}
	if h["Repr-Digest"] != "sha-256=:9S1xEQPVCkN4MMb7zQT7S6tJoPgvbSbRx5HG6EiN0JA=:" {
		t.Errorf("Repr-Digest %q", h["Repr-Digest"])
	}
}
