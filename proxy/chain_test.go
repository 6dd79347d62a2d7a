package proxy

import (
	"net/http"
	"testing"
)

func TestUpstreamStale(t *testing.T) {
	for _, c := range []struct {
		warnings []string
		want     string
	}{
		{nil, ""},
		{[]string{`199 - "misc"`}, ""},
		{[]string{warnRevalidation}, warnRevalidation},
		{[]string{`214 - "transformed"`, warnDisconnected}, warnDisconnected},
		{[]string{warnStale}, warnStale},
		{[]string{"111"}, ""},
	} {
		h := http.Header{"Warning": c.warnings}
		if got := upstreamStale(h); got != c.want {
			t.Errorf("%q: got %q, want %q", c.warnings, got, c.want)
		}
	}
}
