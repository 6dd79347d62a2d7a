package oci

import (
	"net/url"
	"testing"
)

func TestOCIRewriteURL(t *testing.T) {
	up, _ := url.Parse("http://127.0.0.1:5000")
	withPath, _ := url.Parse("https://registry.example/base")
	ups := []*url.URL{up, withPath}
	public := "https://hoard.example/v2/ghcr/"
	cases := map[string]string{
		"/v2/a/b/blobs/uploads/u1?_state=s":                    public + "a/b/blobs/uploads/u1?_state=s",
		"http://127.0.0.1:5000/v2/a/blobs/" + d256:             public + "a/blobs/" + d256,
		"https://registry.example/base/v2/a/manifests/" + d256: public + "a/manifests/" + d256,
		"https://storage.example/bucket/blob?sig=x":            "https://storage.example/bucket/blob?sig=x",
		"http://127.0.0.1:5001/v2/a/blobs/" + d256:             "http://127.0.0.1:5001/v2/a/blobs/" + d256,
		"/elsewhere": "/elsewhere",
	}
	for in, want := range cases {
		if got := RewriteURL(in, ups, public); got != want {
			t.Errorf("RewriteURL(%q) = %q, want %q", in, got, want)
		}
	}
	link := `</v2/a/tags/list?last=b&n=2>; rel="next"`
	if got := RewriteLink(link, ups, public); got != `<`+public+`a/tags/list?last=b&n=2>; rel="next"` {
		t.Errorf("RewriteLink = %q", got)
	}
}

func TestOCIRepoOfAndPathDigest(t *testing.T) {
	cases := map[string]string{
		"/v2/a/b/manifests/v1":                "a/b",
		"/base/v2/a/blobs/" + d256:            "a",
		"/v2/a/blobs/uploads/":                "a",
		"/v2/a/blobs/uploads/u1":              "a",
		"/v2/a/tags/list":                     "a",
		"/v2/x/manifests/manifests/manifests": "x/manifests",
		"/v2/":                                "",
		"/v2/_catalog":                        "",
	}
	for in, want := range cases {
		got, ok := RepoOf(in)
		if got != want || ok != (want != "") {
			t.Errorf("RepoOf(%q) = %q %v", in, got, ok)
		}
	}
	if PathDigest("/v2/m/a/blobs/"+d256) != d256 || PathDigest("/v2/m/a/manifests/v1") != "" || PathDigest("/v2/m/a/referrers/"+d256) != "" {
		t.Error("PathDigest")
	}
}
