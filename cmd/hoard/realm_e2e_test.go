package main_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A registry whose token realm is on another listener (as Docker Hub's is on
// another host): hoard fetches anonymous tokens there, so public images come
// through, and sends no credential to it unless the mount lists it in token_realms.
func TestTokenRealmOnAnotherListener(t *testing.T) {
	needE2E(t)
	var realmAuth, realmHits atomic.Int64
	realm := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		realmHits.Add(1)
		scope := r.URL.Query().Get("scope")
		if r.Header.Get("Authorization") != "" {
			realmAuth.Add(1)
			if _, pw, _ := r.BasicAuth(); pw == "s3cret" {
				scope += ":private"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"token":"` + scope + `","expires_in":300}`))
	}))
	registry := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		repo, _, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/"), "/manifests/")
		need := "Bearer repository:" + repo + ":pull"
		if strings.HasPrefix(repo, "private/") {
			need += ":private"
		}
		if !ok || r.Header.Get("Authorization") != need {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm.URL()+`/token",service="reg",scope="repository:`+repo+`:pull"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		m := ociManifestOf(repo)
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Docker-Content-Digest", "sha256:"+sha256Hex(m))
		w.Write(m)
	}))
	creds := http.Header{"Accept": {ociAccept}, "Authorization": {"Basic dXNlcjpzM2NyZXQ="}} // user:s3cret
	h := startHoard(t, t.TempDir(), "--mount", "hub=oci,"+registry.URL())
	if r := fetch(t, http.MethodGet, h.URL+"/v2/hub/library/app/manifests/v1", creds); r.status != 200 {
		t.Fatalf("public image, realm on another listener: %d %.200s", r.status, r.body)
	}
	if r := fetch(t, http.MethodGet, h.URL+"/v2/hub/private/app/manifests/v1", creds); r.status == 200 {
		t.Errorf("private image with the realm not listed: 200; the credentials must not have gone to the realm")
	}
	if realmHits.Load() == 0 || realmAuth.Load() != 0 {
		t.Fatalf("the realm on another listener got %d token requests, %d with credentials; want some, none with credentials", realmHits.Load(), realmAuth.Load())
	}
	listed := startHoard(t, t.TempDir(), "--mount", "hub=oci,"+registry.URL()+",token_realms="+hostOf(realm.URL()))
	if r := fetch(t, http.MethodGet, listed.URL+"/v2/hub/private/app/manifests/v1", creds); r.status != 200 {
		t.Errorf("private image with the realm listed in token_realms: %d %.200s", r.status, r.body)
	}
	if realmAuth.Load() == 0 {
		t.Error("the listed realm never got the credentials")
	}
}
