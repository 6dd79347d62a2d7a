package admin

import (
	"archive/tar"
	"encoding/json"
	"io"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/proxy/bundle"
)

func TestExportChoosesMounts(t *testing.T) {
	store, err := cache.Open(cache.Options{Dir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, key := range []string{"npm/pkg/a", "maven/x/1/x-1.jar", "reg/lib/a/blobs/sha256:" + "00"} {
		w, _ := store.NewWriter(cache.WriterOptions{ExpectedSize: -1})
		w.Write([]byte(key))
		if _, err := w.Commit(key, cache.Entry{FetchedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	s := New(Options{Store: store, Mounts: []configs.Mount{{Name: "npm", Format: "npm"}, {Name: "maven", Format: "maven"}, {Name: "reg", Format: "oci"}}})
	for query, want := range map[string][]string{
		"":                      {"maven", "npm", "reg"},
		"?mount=npm":            {"npm"},
		"?format=oci":           {"reg"},
		"?mount=npm&format=oci": {"npm", "reg"},
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export"+query, nil))
		tr := tar.NewReader(rec.Body)
		if _, err := tr.Next(); err != nil {
			t.Fatalf("%q: %v", query, err)
		}
		b, _ := io.ReadAll(tr)
		var m bundle.Manifest
		json.Unmarshal(b, &m)
		var got []string
		for _, e := range m.Entries {
			got = append(got, e.Mount)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("export%s: entries of %v, want %v", query, got, want)
		}
	}
}
