package admin

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
	"hoard/configs"
	"hoard/proxy/bundle"
)

// An admin.verify_key makes every import need a bundle signed by its key, whether
// or not the importer gives one.
func TestConfiguredVerifyKeyRequired(t *testing.T) {
	src, err := cache.Open(cache.Options{Dir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	w, _ := src.NewWriter(cache.WriterOptions{ExpectedSize: -1})
	w.Write([]byte("jar"))
	w.Commit("maven/x/1/x-1.jar", cache.Entry{FetchedAt: time.Now()})
	pk, sk, _ := ed25519.GenerateKey(rand.Reader)
	bundleOf := func(key ed25519.PrivateKey) []byte {
		var raw, out bytes.Buffer
		if _, err := bundle.Export(context.Background(), src, bundle.ExportOptions{Mounts: map[string]string{"maven": "maven"}, Now: time.Now()}, &raw); err != nil {
			t.Fatal(err)
		}
		if _, err := bundle.Finish(&raw, &out, key, nil); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	dst, err := cache.Open(cache.Options{Dir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	s := New(Options{Store: dst, Mounts: []configs.Mount{{Name: "maven", Format: "maven"}}, VerifyKey: pk, Logger: zerolog.Nop()})
	post := func(b []byte) (int, string) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("POST", "/api/import", bytes.NewReader(b)))
		return rec.Code, rec.Body.String()
	}
	if code, body := post(bundleOf(nil)); code != 422 || !strings.Contains(body, "not signed") {
		t.Errorf("unsigned bundle: %d %s", code, body)
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	if code, body := post(bundleOf(other)); code != 422 || !strings.Contains(body, "signature does not match") {
		t.Errorf("bundle signed by another key: %d %s", code, body)
	}
	if dst.Stats().Entries != 0 {
		t.Fatal("a refused bundle published entries")
	}
	if code, body := post(bundleOf(sk)); code != 200 || !strings.Contains(body, `"added":1`) {
		t.Errorf("signed bundle: %d %s", code, body)
	}
}
