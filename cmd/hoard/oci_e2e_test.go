package main_test

// OCI end to end: the OCI conformance suite, crane and skopeo drive the real hoard
// binary in front of a real CNCF distribution registry.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// conformanceEnv configures the suite with its OCI_ROOT_URL-style variables, leaving
// out only what distribution v3.1.2 itself does not offer (sha512 content, the
// referrers API and subject fields, non-distributable layers), so the suite passes
// against the bare upstream and any failure is Hoard's.
func conformanceEnv(root, repo1, repo2, results string) []string {
	return []string{
		"OCI_ROOT_URL=" + root, "OCI_NAMESPACE=" + repo1, "OCI_CROSSMOUNT_NAMESPACE=" + repo2,
		"OCI_TEST_PULL=1", "OCI_TEST_PUSH=1", "OCI_TEST_CONTENT_DISCOVERY=1", "OCI_TEST_CONTENT_MANAGEMENT=1",
		"OCI_API_REFERRER=false", "OCI_DATA_SHA512=false", "OCI_DATA_SUBJECT=false", "OCI_DATA_SUBJECT_LIST=false",
		"OCI_DATA_SUBJECT_MISSING=false", "OCI_DATA_NONDISTRIBUTABLE=false",
		"OCI_RESULTS_DIR=" + results, "OCI_USERNAME=", "OCI_PASSWORD=",
	}
}

var conformanceFailLine = regexp.MustCompile(`(?m)^\s*FAIL\.+:\s+(\d+)\s*$`)
var conformancePassLine = regexp.MustCompile(`(?m)^\s*Pass\.+:\s+(\d+)\s*$`)

func TestOCIConformance(t *testing.T) {
	needE2E(t)
	suite := ociTool(t, "oci-conformance")
	reg := startRegistry(t, "")
	cases := []struct {
		name         string
		flags        []string
		repo1, repo2 string
	}{
		{"prefixed", []string{"--mount", "reg=oci," + reg.URL()}, "reg/conformance/one", "reg/conformance/two"},
		{"default-mount", []string{"--mount", "reg=oci," + reg.URL(), "--oci-default", "reg"}, "conformance/three", "conformance/four"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startHoard(t, t.TempDir(), append([]string{"--auth", "none"}, tc.flags...)...)
			dir := t.TempDir()
			logPath := filepath.Join(dir, "conformance.log")
			err := runTool(t, 10*time.Minute, dir, logPath, conformanceEnv(h.URL, tc.repo1, tc.repo2, filepath.Join(dir, "results")), suite)
			out, _ := os.ReadFile(logPath)
			fails, passes := conformanceFailLine.FindSubmatch(out), conformancePassLine.FindSubmatch(out)
			if err != nil || fails == nil || string(fails[1]) != "0" || passes == nil || string(passes[1]) == "0" {
				t.Fatalf("conformance suite through hoard failed: %v\n%s", err, tail(logPath, 120))
			}
			t.Logf("conformance through hoard (%s): %s passed, 0 failed", tc.name, passes[1])
		})
	}
}

// TestOCIClientsPullPushOffline: crane and skopeo pull a multi-arch image through
// hoard by tag and by digest, then again with the upstream stopped; then push through
// hoard, and the upstream serves what was pushed.
func TestOCIClientsPullPushOffline(t *testing.T) {
	needE2E(t)
	crane, skopeo := ociTool(t, "crane"), ociTool(t, "skopeo")
	reg := startRegistry(t, "")
	up := hostOf(reg.URL())
	for _, arch := range []string{"amd64", "arm64"} {
		ref := up + "/e2e/src:" + arch
		runOCI(t, crane, "append", "--insecure", "-f", randomTar(t, 300<<10), "-t", ref)
		runOCI(t, crane, "mutate", "--insecure", ref, "--set-platform", "linux/"+arch, "-t", ref)
	}
	runOCI(t, crane, "index", "append", "--insecure", "-m", up+"/e2e/src:amd64", "-m", up+"/e2e/src:arm64", "-t", up+"/e2e/multi:v1")
	index := strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", up+"/e2e/multi:v1"))

	h := startHoard(t, t.TempDir(), "--auth", "none", "--mount", "reg=oci,"+reg.URL())
	img := hostOf(h.URL) + "/reg/e2e/multi"
	byTag, byDigest := img+":v1", img+"@"+index
	pull := func(stage string) {
		t.Helper()
		if got := strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", byTag)); got != index {
			t.Fatalf("%s: crane digest by tag = %s, want %s", stage, got, index)
		}
		for _, ref := range []string{byTag, byDigest} {
			for _, platform := range []string{"linux/amd64", "linux/arm64"} {
				// validate downloads the platform's manifest, config and layers and
				// checks every digest.
				runOCI(t, crane, "validate", "--insecure", "--platform", platform, "--remote", ref)
			}
			dir := t.TempDir()
			runOCI(t, skopeo, "--insecure-policy", "copy", "--all", "--src-tls-verify=false", "docker://"+ref, "oci:"+dir+":v1")
			raw := runOCI(t, skopeo, "inspect", "--raw", "--tls-verify=false", "docker://"+ref)
			if got := sha256Hex([]byte(raw)); "sha256:"+got != index {
				t.Fatalf("%s: skopeo inspect --raw %s: index digest sha256:%s, want %s", stage, ref, got, index)
			}
		}
		t.Logf("%s: crane and skopeo pulled %s by tag and by digest", stage, byTag)
	}
	pull("upstream up")
	reg.Stop()
	pull("upstream stopped")
	reg.Start()

	// Push through hoard, with both clients; pull from the upstream directly.
	pushed := hostOf(h.URL) + "/reg/e2e/pushed:v1"
	runOCI(t, crane, "append", "--insecure", "-f", randomTar(t, 200<<10), "-t", pushed)
	viaHoard := strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", pushed))
	direct := strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", up+"/e2e/pushed:v1"))
	if viaHoard != direct {
		t.Fatalf("pushed through hoard as %s, upstream has %s", viaHoard, direct)
	}
	runOCI(t, crane, "validate", "--insecure", "--remote", up+"/e2e/pushed:v1")
	layout := t.TempDir()
	runOCI(t, skopeo, "--insecure-policy", "copy", "--all", "--src-tls-verify=false", "docker://"+byDigest, "oci:"+layout+":v1")
	runOCI(t, skopeo, "--insecure-policy", "copy", "--all", "--dest-tls-verify=false", "oci:"+layout+":v1", "docker://"+hostOf(h.URL)+"/reg/e2e/skopeo-pushed:v1")
	// skopeo stores a Docker list as an OCI index in the layout: what it pushes is
	// that document, byte for byte.
	want := "sha256:" + sha256Hex([]byte(runOCI(t, skopeo, "inspect", "--raw", "oci:"+layout+":v1")))
	if got := strings.TrimSpace(runOCI(t, crane, "digest", "--insecure", up+"/e2e/skopeo-pushed:v1")); got != want {
		t.Fatalf("skopeo pushed %s through hoard; upstream has %s", want, got)
	}
	for _, platform := range []string{"linux/amd64", "linux/arm64"} {
		runOCI(t, crane, "validate", "--insecure", "--platform", platform, "--remote", up+"/e2e/skopeo-pushed:v1")
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestOCIColdLayerHerd: 100 clients pull a cold 100 MB layer at once; the upstream
// serves it once, and every client gets all of its bytes, verified.
func TestOCIColdLayerHerd(t *testing.T) {
	needE2E(t)
	reg := startRegistry(t, "")
	const size, clients = 100 << 20, 100
	data := make([]byte, size)
	newRand().Read(data)
	dig := pushBlob(t, reg.URL(), "herd/layer", bytes.NewReader(data), size)

	// Count the upstream's blob GETs with a proxy in front of it.
	var blobGets atomic.Int64
	target, _ := url.Parse(reg.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	front := startUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/sha256:") {
			blobGets.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	h := startHoard(t, t.TempDir(), "--auth", "none", "--mount", "reg=oci,"+front.URL())
	blobURL := h.URL + "/v2/reg/herd/layer/blobs/" + dig

	start := make(chan struct{})
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- pullVerified(blobURL, dig, size)
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := blobGets.Load(); n != 1 {
		t.Errorf("upstream served the blob %d times to %d clients, want once", n, clients)
	}
	t.Logf("%d clients pulled a cold %d MiB layer in %v; upstream blob fetches: %d", clients, size>>20, time.Since(began).Round(time.Millisecond), blobGets.Load())
}

// pullVerified GETs a blob and checks its length, its digest and the digest header.
func pullVerified(u, dig string, size int64) error {
	client := &http.Client{Timeout: 5 * time.Minute}
	resp, err := client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Docker-Content-Digest"); got != dig {
		return fmt.Errorf("Docker-Content-Digest %q, want %s", got, dig)
	}
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		return fmt.Errorf("after %d bytes: %w", n, err)
	}
	if n != size || "sha256:"+hex.EncodeToString(h.Sum(nil)) != dig {
		return fmt.Errorf("got %d bytes with digest sha256:%x, want %d bytes of %s", n, h.Sum(nil), size, dig)
	}
	return nil
}
