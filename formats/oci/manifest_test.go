package oci

import (
	"strings"
	"testing"

	"hoard/formats"
)

func TestOCICheckManifest(t *testing.T) {
	image := `{"schemaVersion":2,"mediaType":"` + MediaOCIManifest + `","config":{},"layers":[]}`
	index := `{"schemaVersion":2,"mediaType":"` + MediaOCIIndex + `","manifests":[]}`
	cases := []struct {
		body, ct string
		ok       bool
	}{
		{image, MediaOCIManifest, true},
		{index, MediaOCIIndex, true},
		{index, "", true},
		{`{"schemaVersion":2,"config":{},"layers":[]}`, MediaDockerManifest, true},
		{`{"schemaVersion":2,"manifests":[],"layers":[]}`, MediaOCIIndex, false},
		{`{"schemaVersion":2,"manifests":[],"config":{}}`, "", false},
		{`{"mediaType":"` + MediaOCIIndex + `","layers":[]}`, "", false},
		{`{"mediaType":"` + MediaOCIManifest + `","manifests":[]}`, "", false},
		{image, MediaOCIIndex, false},
		{`[]`, "", false},
		{`not json`, "", false},
		{`{"x":"` + strings.Repeat("a", MaxManifestSize) + `"}`, "", false},
	}
	for i, c := range cases {
		if err := checkManifest([]byte(c.body), c.ct); (err == nil) != c.ok {
			t.Errorf("case %d: %v", i, err)
		}
	}
}

func TestOCIParsePublish(t *testing.T) {
	body := []byte(`{"schemaVersion":2,"mediaType":"` + MediaOCIManifest + `","config":{},"layers":[]}`)
	dig := digestOf("sha256", body)
	rt := formats.Route{Package: "a/b", ContentType: MediaOCIManifest}
	atts, err := New().ParsePublish(rt, body)
	if err != nil || len(atts) != 1 || atts[0].Key != "a/b/manifests/"+dig || atts[0].ContentType != MediaOCIManifest {
		t.Fatalf("%+v %v", atts, err)
	}
	rt.Expect = []formats.Checksum{{Algo: "sha256", Hex: strings.Repeat("0", 64)}}
	if _, err := New().ParsePublish(rt, body); !isCode(err, CodeDigestInvalid) {
		t.Fatalf("digest mismatch: %v", err)
	}
	rt.Expect = nil
	if _, err := New().ParsePublish(rt, []byte(`{"manifests":[],"layers":[]}`)); !isCode(err, CodeManifestInvalid) {
		t.Fatalf("index and image: %v", err)
	}
}

func TestOCIRewriteVerifiesWholeDocuments(t *testing.T) {
	body := []byte(`{"schemaVersion":2,"mediaType":"` + MediaOCIIndex + `","manifests":[]}`)
	d, _ := ParseDigest(digestOf("sha256", body))
	rt := formats.Route{Key: "a/manifests/" + d.String(), Expect: expectOf(d)}
	if out, err := New().Rewrite(rt, body, ""); err != nil || string(out) != string(body) {
		t.Fatalf("exact bytes must pass unchanged: %v", err)
	}
	if _, err := New().Rewrite(rt, append(body, ' '), ""); err == nil {
		t.Fatal("a byte more passed the digest check")
	}
	rt = formats.Route{Key: "a/manifests/v1"}
	if _, err := New().Rewrite(rt, []byte(`{"manifests":[],"config":{}}`), ""); err == nil {
		t.Fatal("an index that is also an image passed")
	}
	if _, err := New().Rewrite(formats.Route{Key: "a/tags/list"}, []byte(`{"name":"a","tags":[]}`), ""); err != nil {
		t.Fatal(err)
	}
}
