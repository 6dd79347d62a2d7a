package main_test

// A scripted upstream for the fault tests: one listener that is a Maven repository,
// an npm registry and an OCI registry at once, serving a generated artifact per
// name, and misbehaving on request as a real server or a CDN in front of it does.

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Faults the scripted upstream can play on a path.
const (
	faultNone      = ""
	faultReset     = "reset mid-body"
	faultShort     = "short body"
	faultHang      = "hang"
	faultDrip      = "slow drip"
	fault500       = "500"
	fault503       = "503"
	fault429       = "429 with Retry-After"
	faultGzip      = "gzip whatever was asked"
	faultGzipLabel = "a gzip label on bytes sent as they are"
	faultLieDigest = "a lying digest header"
)

// faultyUpstream serves Maven, npm and OCI content and plays faults on paths.
type faultyUpstream struct {
	*upstream
	mu     sync.Mutex
	faults map[string]string // path -> fault
	counts map[string]int    // path -> requests
	stop   chan struct{}     // closed when the test ends: hung handlers return
}

func newFaultyUpstream(t *testing.T) *faultyUpstream {
	t.Helper()
	f := &faultyUpstream{faults: map[string]string{}, counts: map[string]int{}, stop: make(chan struct{})}
	f.upstream = startUpstream(t, f)
	t.Cleanup(func() { close(f.stop) }) // runs before the listener's Close: hung handlers return
	return f
}

func (f *faultyUpstream) set(path, fault string) {
	f.mu.Lock()
	f.faults[path] = fault
	f.mu.Unlock()
}

func (f *faultyUpstream) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[path]
}

// artifactBytes is the content published under name: 256 KiB (1 MiB for a name
// with "big" in it), the same every time.
func artifactBytes(name string) []byte {
	r := rand.New(rand.NewPCG(uint64(len(name)), uint64(crc(name))))
	size := 256 << 10
	if strings.Contains(name, "big") {
		size = 1 << 20
	}
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func crc(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// content is what the upstream publishes at path, its content type, and the digest
// header an OCI registry sends with it ("" for others).
func (f *faultyUpstream) content(path string) (body []byte, ctype, digest string, ok bool) {
	switch {
	case strings.HasPrefix(path, "/repo/") && strings.HasSuffix(path, ".jar.sha1"):
		s := sha1.Sum(artifactBytes(strings.TrimSuffix(path, ".sha1")))
		return []byte(hex.EncodeToString(s[:])), "text/plain", "", true
	case strings.HasPrefix(path, "/repo/") && strings.HasSuffix(path, ".jar"):
		return artifactBytes(path), "application/java-archive", "", true
	case strings.HasPrefix(path, "/npm/") && strings.HasSuffix(path, ".tgz"):
		name := strings.Split(strings.TrimPrefix(path, "/npm/"), "/")[0]
		return npmTgz(name, "1.0.0"), "application/octet-stream", "", true
	case strings.HasPrefix(path, "/npm/"):
		return f.packument(strings.TrimPrefix(path, "/npm/")), "application/json", "", true
	case path == "/v2/":
		return []byte("{}"), "application/json", "", true
	case strings.HasPrefix(path, "/v2/"):
		return f.oci(path)
	}
	return nil, "", "", false
}

func (f *faultyUpstream) packument(name string) []byte {
	tgz := npmTgz(name, "1.0.0")
	sum := sha512.Sum512(tgz)
	doc := map[string]any{"name": name, "dist-tags": map[string]string{"latest": "1.0.0"},
		"versions": map[string]any{"1.0.0": map[string]any{"name": name, "version": "1.0.0",
			"dist": map[string]string{"tarball": f.URL() + "/npm/" + name + "/-/" + name + "-1.0.0.tgz",
				"integrity": "sha512-" + base64.StdEncoding.EncodeToString(sum[:])}}}}
	b, _ := json.Marshal(doc)
	return b
}

// oci serves /v2/REPO/manifests/v1 (one layer, one config) and their blobs.
func (f *faultyUpstream) oci(path string) ([]byte, string, string, bool) {
	if repo, ok := strings.CutSuffix(strings.TrimPrefix(path, "/v2/"), "/tags/list"); ok {
		return []byte(`{"name":"` + repo + `","tags":["v1"]}`), "application/json", "", true
	}
	if _, subject, ok := strings.Cut(path, "/referrers/"); ok && strings.HasPrefix(subject, "sha256:") {
		return []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`),
			"application/vnd.oci.image.index.v1+json", "", true
	}
	repo, ref, ok := strings.Cut(strings.TrimPrefix(path, "/v2/"), "/manifests/")
	if ok {
		m := ociManifestOf(repo)
		if ref != "v1" && ref != "sha256:"+sha256Hex(m) {
			return nil, "", "", false
		}
		return m, "application/vnd.oci.image.manifest.v1+json", "sha256:" + sha256Hex(m), true
	}
	repo, ref, ok = strings.Cut(strings.TrimPrefix(path, "/v2/"), "/blobs/")
	for _, b := range [][]byte{artifactBytes(repo), ociConfigOf(repo)} {
		if ok && ref == "sha256:"+sha256Hex(b) {
			return b, "application/octet-stream", ref, true
		}
	}
	return nil, "", "", false
}

func ociConfigOf(repo string) []byte {
	return []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"repo":"` + repo + `"}`)
}

func ociManifestOf(repo string) []byte {
	layer, cfg := artifactBytes(repo), ociConfigOf(repo)
	return []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},`+
		`"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}`,
		sha256Hex(cfg), len(cfg), sha256Hex(layer), len(layer)))
}

func (f *faultyUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	f.mu.Lock()
	f.counts[p]++
	fault := f.faults[p]
	f.mu.Unlock()
	body, ctype, digest, ok := f.content(p)
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	if digest != "" {
		h.Set("Docker-Content-Digest", digest)
	}
	switch fault {
	case faultHang:
		select {
		case <-r.Context().Done():
		case <-f.stop:
		}
		return
	case fault500, fault503:
		code, _ := strconv.Atoi(fault)
		http.Error(w, "upstream trouble", code)
		return
	case fault429:
		h.Set("Retry-After", "17")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case faultReset, faultShort:
		hijackAndWrite(w, body, fault == faultReset)
		return
	case faultGzip:
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write(body)
		z.Close()
		h.Set("Content-Encoding", "gzip")
		body = b.Bytes()
	case faultGzipLabel:
		h.Set("Content-Encoding", "gzip") // an npm .tgz is gzip itself: sent as it is
	case faultLieDigest:
		h.Set("Docker-Content-Digest", "sha256:"+strings.Repeat("0", 64))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	if fault == faultDrip {
		dripWrite(w, body, 8, 500*time.Millisecond) // 4 s in all, past header_timeout
		return
	}
	w.Write(body)
}

// hijackAndWrite sends a 200 declaring the whole body, then part of it, and ends
// the connection: with a reset (RST) or a plain close.
func hijackAndWrite(w http.ResponseWriter, body []byte, reset bool) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", len(body))
	buf.Write(body[:len(body)/3])
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
}

// dripWrite sends body in parts with pauses between them.
func dripWrite(w http.ResponseWriter, body []byte, parts int, pause time.Duration) {
	rc := http.NewResponseController(w)
	step := (len(body) + parts - 1) / parts
	for off := 0; off < len(body); off += step {
		w.Write(body[off:min(off+step, len(body))])
		rc.Flush()
		time.Sleep(pause)
	}
}
