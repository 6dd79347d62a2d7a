package main_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakOrigin is a Maven repository whose every artifact is generated from its
// path, so clients know the bytes of any path without a file on disk and the
// supply of cold misses never runs out. It injects faults (a reset mid-body, a
// 503, a slow drip) into a set fraction of answers, and accepts publishes.
type soakOrigin struct {
	faultPer10k int
	faults      [3]atomic.Int64 // reset, 503, drip
	mu          sync.Mutex
	rng         *rand.Rand
	published   map[string][]byte
}

var soakModTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// soakBody is the artifact at rel ("soak/gen/aN/1.0/aN-1.0.jar"): 1 KiB to 1 MiB,
// most of them small, as a dependency tree's are.
func soakBody(rel string) []byte {
	seed := sha256.Sum256([]byte(rel))
	sizes := []int{1 << 10, 4 << 10, 16 << 10, 16 << 10, 64 << 10, 64 << 10, 256 << 10, 1 << 20}
	n := sizes[int(seed[0])%len(sizes)] + int(binary.BigEndian.Uint16(seed[1:3]))
	b := make([]byte, n)
	rand.NewChaCha8(seed).Read(b)
	return b
}

// soakMetadata is the maven-metadata.xml of artifact a, fixed for the run: a
// revalidation is answered 304.
func soakMetadata(a string) []byte {
	return []byte(fmt.Sprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata><groupId>soak.gen</groupId>"+
		"<artifactId>%s</artifactId><versioning><release>1.0</release><versions><version>1.0</version></versions></versioning></metadata>\n", a))
}

// soakKnown is what a client expects at rel, and whether rel is known.
func (o *soakOrigin) known(rel string) ([]byte, bool) {
	o.mu.Lock()
	b, ok := o.published[rel]
	o.mu.Unlock()
	if ok {
		return b, true
	}
	switch {
	case strings.HasSuffix(rel, "/maven-metadata.xml"):
		return soakMetadata(filepath.Base(filepath.Dir(rel))), true
	case strings.HasSuffix(rel, ".jar.sha1"):
		s := sha1.Sum(soakBody(strings.TrimSuffix(rel, ".sha1")))
		return []byte(hex.EncodeToString(s[:])), true
	case strings.HasSuffix(rel, ".jar"):
		return soakBody(rel), true
	}
	return nil, false
}

func (o *soakOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel := strings.TrimPrefix(r.URL.Path, "/")
	if r.Method == http.MethodPut {
		o.publish(w, r, rel)
		return
	}
	body, ok := o.known(rel)
	if !ok {
		http.NotFound(w, r)
		return
	}
	o.mu.Lock()
	roll := o.rng.IntN(10000)
	kind := o.rng.IntN(3)
	o.mu.Unlock()
	if roll < o.faultPer10k {
		o.faults[kind].Add(1)
		switch kind {
		case 0: // reset: headers and half the body, then the connection drops
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:len(body)/2])
			panic(http.ErrAbortHandler)
		case 1:
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		case 2: // a slow drip: the whole body, a chunk every 50 ms
			w = &dripWriter{ResponseWriter: w}
		}
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256(body)))
	http.ServeContent(w, r, filepath.Base(rel), soakModTime, bytes.NewReader(body))
}

func (o *soakOrigin) publish(w http.ResponseWriter, r *http.Request, rel string) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	o.published[rel] = buf.Bytes()
	o.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

// dripWriter sends a body 4 KiB at a time with a pause between.
type dripWriter struct{ http.ResponseWriter }

func (d *dripWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c := min(len(p), 4<<10)
		m, err := d.ResponseWriter.Write(p[:c])
		n += m
		if err != nil {
			return n, err
		}
		if f, ok := d.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		p = p[c:]
		time.Sleep(50 * time.Millisecond)
	}
	return n, nil
}

// procSample reads a process's resident set size (KiB) and open files from /proc.
func procSample(pid int) (rssKiB int64, files int) {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &rssKiB)
			}
		}
	}
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
		files = len(ents)
	}
	return rssKiB, files
}
