package npm

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"hoard/formats"
	"hoard/formats/routecheck"
)

var fuzzMethods = []string{"GET", "HEAD", "PUT", "DELETE", "POST"}

// FuzzNpmRoute: any path, by any method and Accept, is refused or routed to keys
// and an upstream path that stay in their place.
func FuzzNpmRoute(f *testing.F) {
	for _, s := range []string{
		"/left-pad", "/@acme/tool", "/@acme%2ftool", "/%40acme%2Ftool", "/left-pad/-/left-pad-1.3.0.tgz",
		"/@acme/tool/-/tool-1.0.0.tgz", "/@acme/tool/-/dl/download/@acme/tool/1.0.0/abc123", "/left-pad/1.3.0",
		"/tool/-rev/3-abc", "/-/package/@acme%2ftool/dist-tags/beta", "/-/v1/search", "/-/whoami",
		"/@acme/../tool", "/%2e%2e/x", "/@acme%2f..%2ftool", "/tool/-/..%2f..%2fx.tgz", "/a\\b", "/a%00b",
	} {
		for i := range fuzzMethods {
			f.Add(uint8(i), s, "")
		}
		f.Add(uint8(0), s, acceptAbbrev)
	}
	f.Fuzz(func(t *testing.T, m uint8, rest, accept string) {
		r := httptest.NewRequest("GET", "http://hoard/npm", nil)
		r.Method = fuzzMethods[int(m)%len(fuzzMethods)]
		r.Header.Set("Accept", accept)
		rt, err := New().Route(r, rest)
		if err != nil {
			return
		}
		if err := routecheck.CheckWith(New(), rt); err != nil {
			t.Fatalf("%s %q: %v", r.Method, rest, err)
		}
	})
}

// FuzzNpmPublish: a publish body is refused or every attachment it yields has a
// clean key under the package, bytes that match the checksums it carries, and
// bytes the upstream reads as an attachment too (JavaScript reads exact keys).
func FuzzNpmPublish(f *testing.F) {
	data := []byte("tarball bytes")
	s512, s1 := sha512.Sum512(data), sha1.Sum(data)
	good := `{"_id":"tool","name":"tool","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"tool","version":"1.0.0",` +
		`"dist":{"integrity":"sha512-` + base64.StdEncoding.EncodeToString(s512[:]) + `","shasum":"` + hex.EncodeToString(s1[:]) +
		`","tarball":"http://hoard/npm/tool/-/tool-1.0.0.tgz"}}},"_attachments":{"tool-1.0.0.tgz":{"content_type":"application/octet-stream",` +
		`"data":"` + base64.StdEncoding.EncodeToString(data) + `","length":13}}}`
	for _, s := range []string{
		good, good[:len(good)/2], `{"name":"tool","versions":{},"_attachments":{}}`,
		strings.Replace(good, "tool-1.0.0.tgz\":{", "../../tool-1.0.0.tgz\":{", 1),
		strings.Replace(good, `"1.0.0":{`, `"__proto__":{`, 1), `"1.0.0"`, `[]`,
	} {
		f.Add(false, []byte(s))
	}
	f.Add(true, []byte(`"1.0.0"`))
	put := httptest.NewRequest("PUT", "http://hoard/npm/tool", nil)
	pkgRoute, err := New().Route(put, "/tool")
	if err != nil {
		f.Fatal(err)
	}
	tagRoute, err := New().Route(put, "/-/package/tool/dist-tags/beta")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, tag bool, body []byte) {
		rt := pkgRoute
		if tag {
			rt = tagRoute
		}
		atts, err := New().ParsePublish(rt, body)
		if err != nil {
			return
		}
		for _, a := range atts {
			if err := routecheck.Check(formats.Route{Key: a.Key}); err != nil || !strings.HasPrefix(a.Key, "tgz/tool/") {
				t.Fatalf("attachment key %q: %v", a.Key, err)
			}
			if !sentAsData(body, a.Data) {
				t.Fatalf("attachment %q caches bytes that no attachment's exact \"data\" key carries", a.Key)
			}
			for _, c := range a.Expect {
				if got := sumHex(c.Algo, a.Data); got != c.Hex {
					t.Fatalf("attachment %q: %s %s, declared %s", a.Key, c.Algo, got, c.Hex)
				}
			}
		}
	})
}

func sumHex(algo string, b []byte) string {
	switch algo {
	case "sha1":
		s := sha1.Sum(b)
		return hex.EncodeToString(s[:])
	case "sha256":
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	case "sha512":
		s := sha512.Sum512(b)
		return hex.EncodeToString(s[:])
	}
	return "unknown algorithm " + algo
}

// sentAsData reports whether data is the base64 of some attachment's "data" key,
// read case-sensitively as the registry reads it.
func sentAsData(body, data []byte) bool {
	var doc map[string]json.RawMessage
	var atts map[string]map[string]any
	if json.Unmarshal(body, &doc) != nil || json.Unmarshal(doc["_attachments"], &atts) != nil {
		return false
	}
	for _, a := range atts {
		if s, ok := a["data"].(string); ok {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil && string(b) == string(data) {
				return true
			}
		}
	}
	return false
}
