package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPlainProgressWritesStartEndAndPeriodicLines(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	p := plainProgress(&out, "verify", 10*time.Second, func() time.Time { return now })
	const blob = 1 << 20
	p(0, 100, 0, 100*blob)
	for i := 1; i < 100; i++ {
		now = now.Add(time.Second)
		p(i, 100, int64(i)*blob, 100*blob)
	}
	p(100, 100, 100*blob, 100*blob)
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	// The start, one line per ten seconds (at 10, 20 ... 90), the end.
	if len(got) != 11 || got[0] != "verify: 0 of 100 blob files (0%), 0.0 MiB of 100.0 MiB" ||
		got[1] != "verify: 10 of 100 blob files (10%), 10.0 MiB of 100.0 MiB" ||
		got[10] != "verify: 100 of 100 blob files (100%), 100.0 MiB of 100.0 MiB" {
		t.Errorf("progress lines:\n%s", out.String())
	}
}

func TestBarProgressDrawsABar(t *testing.T) {
	var out bytes.Buffer
	p := barProgress(&out, "gc")
	p(0, 4, 0, 4<<20)
	p(4, 4, 4<<20, 4<<20)
	if !strings.Contains(out.String(), "gc 4/4 blobs") || !strings.Contains(out.String(), "B/s") {
		t.Errorf("bar output %q", out.String())
	}
}
