package main_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A pinned package survives an eviction pass that would remove it first, while an
// unpinned one of the same age goes; unpinned, it can be evicted again.
func TestPinSurvivesEviction(t *testing.T) {
	needE2E(t)
	jar := func(c byte) string { return "PK" + strings.Repeat(string(c), 29<<10) }
	origin := &jarOrigin{hits: map[string]int{}, files: map[string]string{}}
	for _, c := range "pqrst" {
		origin.files[fmt.Sprintf("/g/%c/1/%c-1.jar", c, c)] = jar(byte(c))
	}
	up := startUpstream(t, origin)
	// 100 KiB holds three 29 KiB jars; a fourth starts a pass down to 90 KiB, which
	// frees exactly one.
	cfg := writeConfig(t, fmt.Sprintf("cache: {max_size: 100KiB}\nmounts:\n  - {name: maven, format: maven, upstream: %q}\n", up.URL()))
	h := startHoard(t, t.TempDir(), "--config", cfg)
	get := func(c rune) string {
		return cacheResult(t, h.URL+fmt.Sprintf("/maven/g/%c/1/%c-1.jar", c, c), jar(byte(c)))
	}
	get('p')
	time.Sleep(20 * time.Millisecond) // p is strictly older than q
	get('q')
	time.Sleep(20 * time.Millisecond) // and q strictly older than r, so q is the one a pass frees
	get('r')
	out, err := hoardCmd(t, "pin", "--admin", h.AdminURL, "--mount", "maven", "g/p")
	if err != nil || !strings.Contains(out, "pin: 1 entries") {
		t.Fatalf("hoard pin: %v\n%s", err, out)
	}
	out, _ = hoardCmd(t, "ls", "--admin", h.AdminURL, "g/p")
	if !strings.Contains(out, "pinned") {
		t.Errorf("hoard ls does not show the pin:\n%s", out)
	}
	get('s') // 116 KiB: the pass must free one jar
	// The pass runs in the background after s commits; a loaded machine running
	// this under -race can take seconds to get there.
	eventually(t, 30*time.Second, "an eviction pass", func() bool {
		return !strings.Contains(strings.Join(lsKeys(t, h.AdminURL), " "), "g/q/")
	})
	if got := get('p'); got != "hit" {
		t.Errorf("the pinned oldest jar after eviction: X-Hoard-Cache %q, want hit", got)
	}
	if got := get('r'); got != "hit" {
		t.Errorf("a newer jar after eviction: X-Hoard-Cache %q, want hit", got)
	}

	out, err = hoardCmd(t, "unpin", "--admin", h.AdminURL, "--mount", "maven", "g/p")
	if err != nil || !strings.Contains(out, "unpin: 1 entries") {
		t.Fatalf("hoard unpin: %v\n%s", err, out)
	}
	// A purge takes the pin with the entry: refetched, the jar is not pinned.
	hoardCmd(t, "pin", "--admin", h.AdminURL, "--mount", "maven", "g/r")
	if out, err := hoardCmd(t, "purge", "--admin", h.AdminURL, "--mount", "maven", "g/r"); err != nil {
		t.Fatalf("hoard purge: %v\n%s", err, out)
	}
	if got := get('r'); got != "miss" {
		t.Errorf("the purged pinned jar: X-Hoard-Cache %q, want miss", got)
	}
	eventually(t, 10*time.Second, "the refetched jar listed", func() bool {
		out, _ = hoardCmd(t, "ls", "--admin", h.AdminURL, "g/r")
		return strings.Contains(out, "r-1.jar")
	})
	if strings.Contains(out, "pinned") {
		t.Errorf("the purged jar came back pinned:\n%s", out)
	}
	if out, err := hoardCmd(t, "pin", "--admin", h.AdminURL, "g/p"); err == nil {
		t.Errorf("hoard pin without --mount succeeded:\n%s", out)
	}
}
