package main_test

// BenchmarkOCIWarmPull compares warm pulls through Hoard with the CNCF registry in
// proxy mode (its pull-through cache), both in front of the same upstream registry on
// this machine, in the same run:
//
//	go test ./cmd/hoard -run '^$' -bench OCIWarmPull -benchtime 3s
//
// Both log at warn level only. The registry in proxy mode asks its upstream about a
// tag on every pull; Hoard serves a tag from its cache within the tag TTL (5m).

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	benchBinOnce sync.Once
	benchBin     string
	benchBinErr  error
)

// startHoardBench builds (once, without -race) and runs hoard for a benchmark.
func startHoardBench(b *testing.B, flags ...string) string {
	b.Helper()
	benchBinOnce.Do(func() {
		benchBin = filepath.Join(os.TempDir(), fmt.Sprintf("hoard-bench-%d", os.Getpid()))
		out, err := exec.Command("go", "build", "-o", benchBin, ".").CombinedOutput()
		if err != nil {
			benchBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if benchBinErr != nil {
		b.Fatal(benchBinErr)
	}
	b.Cleanup(func() { os.Remove(benchBin) })
	addr := ociFreeAddr(b)
	args := append([]string{"serve", "--listen", addr, "--admin-listen", "off", "--data-dir", b.TempDir(), "--log-level", "warn", "--auth", "none"}, flags...)
	logPath := filepath.Join(b.TempDir(), "hoard.log")
	logf, _ := os.Create(logPath)
	cmd := exec.Command(benchBin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	b.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url
			}
		}
	}
	b.Fatalf("hoard not ready\n%s", tail(logPath, 40))
	return ""
}

func BenchmarkOCIWarmPull(b *testing.B) {
	crane := ociTool(b, "crane")
	up := startRegistry(b, "")
	const blobSize = 1 << 20
	ref := hostOf(up.URL()) + "/bench/img:v1"
	runOCI(b, crane, "append", "--insecure", "-f", randomTar(b, blobSize), "-t", ref)
	manifestDigest := strings.TrimSpace(runOCI(b, crane, "digest", "--insecure", ref))
	layerDigest := lastLayerDigest(b, runOCI(b, crane, "manifest", "--insecure", ref))

	anchor := startRegistry(b, up.URL())
	hoard := startHoardBench(b, "--mount", "up=oci,"+up.URL())
	targets := []struct{ name, base, repo string }{
		{"hoard", hoard, "/v2/up/bench/img"},
		{"registry-proxy", anchor.URL(), "/v2/bench/img"},
	}
	accept := "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
		"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	get := func(u string) (int64, error) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Basic Og==")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("%s: status %d", u, resp.StatusCode)
		}
		return n, err
	}
	paths := []struct{ name, path string }{
		{"manifest-by-tag", "/manifests/v1"},
		{"manifest-by-digest", "/manifests/" + manifestDigest},
		{"blob-1MiB", "/blobs/" + layerDigest},
	}
	for _, tg := range targets {
		for _, p := range paths { // warm
			if _, err := get(tg.base + tg.repo + p.path); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, p := range paths {
		for _, tg := range targets {
			u := tg.base + tg.repo + p.path
			b.Run(p.name+"/"+tg.name, func(b *testing.B) {
				b.SetParallelism(8)
				b.ReportAllocs()
				var size int64
				if n, err := get(u); err == nil {
					size = n
				}
				b.SetBytes(size)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := get(u); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// lastLayerDigest reads the last layer's digest out of a manifest document.
func lastLayerDigest(b *testing.B, manifest string) string {
	i := strings.LastIndex(manifest, `"layers"`)
	if i < 0 {
		b.Fatalf("no layers in %s", manifest)
	}
	j := strings.Index(manifest[i:], `"digest":"`)
	d := manifest[i+j+len(`"digest":"`):]
	return d[:strings.IndexByte(d, '"')]
}
