package rubygems

import (
	"crypto/md5"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hoard/formats"
	"hoard/policy/gate"
)

const testInfo = "---\n" +
	"1.0.0 dep:>= 1.0|checksum:aa,created_at:2020-01-01T00:00:00Z\n" +
	"1.0.0-java dep:>= 1.0|checksum:bb,created_at:2020-01-01T00:00:00Z\n" +
	"1.1.0 |checksum:cc,ruby:>= 2.7&< 4,created_at:2026-12-06T12:00:00.000Z\n" +
	"2.0.0.rc1 |checksum:dd\n"

func gemRoute(t *testing.T, path string) formats.Route {
	t.Helper()
	rt, err := New().Route(httptest.NewRequest("GET", "/x", nil), path)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// young refuses versions released after cut; 2.0.0.rc1 (undated) by a deny.
func young(cut time.Time) func(string, time.Time) gate.Reason {
	return func(v string, released time.Time) gate.Reason {
		switch {
		case v == "2.0.0.rc1":
			return gate.Reason{Rule: "deny", Detail: "lib@>= 2.a"}
		case released.After(cut):
			return gate.Reason{Rule: "min_age", Detail: "72h0m0s"}
		}
		return gate.Reason{}
	}
}

func TestFilterInfo(t *testing.T) {
	rt := gemRoute(t, "/acme/info/lib")
	if name, v, ok := (Format{}).Subject(rt); name != "lib" || v != "" || !ok {
		t.Errorf("Subject(/info/lib) = %q %q %v", name, v, ok)
	}
	cut := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out, hidden, err := Format{}.FilterVersions(rt, []byte(testInfo), young(cut))
	if err != nil || len(hidden) != 2 {
		t.Fatalf("hidden %v, err %v", hidden, err)
	}
	want := "---\n1.0.0 dep:>= 1.0|checksum:aa,created_at:2020-01-01T00:00:00Z\n1.0.0-java dep:>= 1.0|checksum:bb,created_at:2020-01-01T00:00:00Z\n"
	if string(out) != want {
		t.Errorf("filtered /info:\n%s\nwant\n%s", out, want)
	}
	times := Format{}.ReleaseTimes([]byte(testInfo))
	if !times["1.1.0"].Equal(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)) || len(times) != 2 {
		t.Errorf("release times %v", times)
	}
}

func TestSubjectOfGems(t *testing.T) {
	for path, want := range map[string][3]string{
		"/acme/gems/lib-1.1.0.gem":                         {"lib", "1.1.0", "acme/info/lib"},
		"/acme/gems/lib-1.0.0-java.gem":                    {"lib", "1.0.0", "acme/info/lib"},
		"/gems/net-http-2-0.1.0.gem":                       {"net-http-2", "0.1.0", "info/net-http-2"},
		"/acme/quick/Marshal.4.8/lib-1.1.0.gemspec.rz":     {"lib", "1.1.0", "acme/info/lib"},
		"/acme/quick/Marshal.4.8/lib-2.0.0.rc1.gemspec.rz": {"lib", "2.0.0.rc1", "acme/info/lib"},
	} {
		rt := gemRoute(t, path)
		name, v, ok := (Format{}).Subject(rt)
		if !ok || name != want[0] || v != want[1] {
			t.Errorf("Subject(%s) = %q %q %v, want %v", path, name, v, ok, want)
		}
		if d, ok := (Format{}).DatingRoute(rt); !ok || d.Key != want[2] {
			t.Errorf("DatingRoute(%s) = %q, want %q", path, d.Key, want[2])
		}
	}
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// The MD5 chain: /versions names, for every gem whose /info was filtered, the
// MD5 of /info as filtered; refused gems leave /names, and stay in /versions so
// that bundler asks for their /info and is told the rule.
func TestFilterVersionsIndex(t *testing.T) {
	cut := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	info := gemRoute(t, "/acme/info/lib")
	filtered, hiddenInfo, _ := Format{}.FilterVersions(info, []byte(testInfo), young(cut))
	versions := "created_at: 2026-01-01T00:00:00Z\n---\n" +
		"lib 1.0.0,1.0.0-java " + md5Hex([]byte("old")) + "\n" +
		"evil 1.0.0 0123\n" +
		"other 1.0.0 4567\n" +
		"lib 1.1.0 " + md5Hex([]byte("mid")) + "\n" +
		"lib 2.0.0.rc1 " + md5Hex([]byte(testInfo)) + "\n"
	judge := func(name, version string, _ time.Time) gate.Reason {
		if name == "evil" {
			return gate.Reason{Rule: "deny", Detail: "evil"}
		}
		if version != "" {
			t.Errorf("the index judged %s@%s: versions are judged by their /info", name, version)
		}
		return gate.Reason{}
	}
	packageDoc := func(name string) ([]byte, []formats.Hidden, bool) {
		if name == "lib" {
			return filtered, hiddenInfo, true
		}
		return nil, nil, false
	}
	rt := gemRoute(t, "/acme/versions")
	if !(Format{}).IsIndex(rt) {
		t.Fatal("/versions is an index")
	}
	if pr, ok := (Format{}).PackageRoute(rt, "lib"); !ok || pr.Key != info.Key {
		t.Errorf("PackageRoute = %q, want %q", pr.Key, info.Key)
	}
	out, hidden, err := Format{}.FilterIndex(rt, []byte(versions), judge, packageDoc)
	if err != nil || len(hidden) != 2 {
		t.Fatalf("hidden %v, err %v", hidden, err)
	}
	want := "created_at: 2026-01-01T00:00:00Z\n---\n" +
		"lib 1.0.0,1.0.0-java " + md5Hex(filtered) + "\n" +
		"evil 1.0.0 0123\n" +
		"other 1.0.0 4567\n"
	if string(out) != want {
		t.Errorf("filtered /versions:\n%s\nwant\n%s", out, want)
	}
	names, _, _ := Format{}.FilterIndex(gemRoute(t, "/acme/names"), []byte("---\nevil\nlib\nother\n"), judge, packageDoc)
	if string(names) != "---\nlib\nother\n" {
		t.Errorf("filtered /names: %q", names)
	}
}

// FuzzRubygemsPolicyFilter: any /info and /versions, filtered by a policy that
// hides some versions: /info keeps only lines of the input, none of a hidden
// version; every /versions line of the gem names the MD5 of /info as filtered.
func FuzzRubygemsPolicyFilter(f *testing.F) {
	f.Add(testInfo, "created_at: x\n---\nlib 1.0.0,1.1.0 abc\nlib 2.0.0.rc1 def\n", "1.1")
	f.Add("---\n1.0 |\n", "---\nlib -1.0 x\n", "1")
	f.Fuzz(func(t *testing.T, info, versions, hide string) {
		judge := func(v string, _ time.Time) gate.Reason {
			if hide != "" && strings.HasPrefix(v, hide) {
				return gate.Reason{Rule: "deny", Detail: "lib@" + hide}
			}
			return gate.Reason{}
		}
		out, hidden, err := Format{}.FilterVersions(formats.Route{TTLClass: "info"}, []byte(info), judge)
		if err != nil {
			return
		}
		inLines := map[string]bool{}
		for _, l := range strings.SplitAfter(info, "\n") {
			inLines[l] = true
		}
		for _, l := range strings.SplitAfter(string(out), "\n") {
			if l != "" && !inLines[l] {
				t.Fatalf("filtered /info has a line not in the input: %q", l)
			}
			if v, ok := lineVersion(l); ok && judge(v, time.Time{}).Refused() {
				t.Fatalf("filtered /info keeps hidden version %s", v)
			}
		}
		pkg := func(string) ([]byte, []formats.Hidden, bool) { return out, hidden, true }
		any := func(string, string, time.Time) gate.Reason { return gate.Reason{} }
		idx, _, err := Format{}.FilterIndex(formats.Route{Kind: formats.Metadata, TTLClass: "versions", Key: "versions"}, []byte(versions), any, pkg)
		if err != nil || len(hidden) == 0 {
			return
		}
		header := true
		for _, l := range strings.Split(string(idx), "\n") {
			if header {
				header = l != "---"
				continue
			}
			if fs := strings.Fields(l); len(fs) == 3 && fs[0] == "lib" && validName(fs[0]) == nil && fs[2] != md5Hex(out) {
				t.Fatalf("/versions line %q does not name the filtered /info's MD5", l)
			}
		}
	})
}
