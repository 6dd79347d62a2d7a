package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// writeCounter records each Write, and has a ReadFrom that hotWriter must not use.
type writeCounter struct {
	*httptest.ResponseRecorder
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	return w.ResponseRecorder.Write(p)
}

func (w *writeCounter) ReadFrom(io.Reader) (int64, error) {
	panic("ReadFrom reached")
}

func TestHotWriter(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 20_000) // 200 KB, more than io.Copy's 32 KiB
	tests := []struct {
		rng    string
		status int
		want   []byte
		writes int // 0: don't care
	}{
		{"", 200, body, 1},
		{"bytes=10-19", 206, body[10:20], 0},
		{"bytes=199990-", 206, body[199990:], 1},
		{"bytes=0-99999", 206, body[:100000], 0},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		if tt.rng != "" {
			r.Header.Set("Range", tt.rng)
		}
		w := &writeCounter{ResponseRecorder: httptest.NewRecorder()}
		http.ServeContent(hotWriter{w}, r, "", time.Time{}, bytes.NewReader(body))
		if w.Code != tt.status || !bytes.Equal(w.Body.Bytes(), tt.want) {
			t.Fatalf("range %q: status %d, %d bytes", tt.rng, w.Code, w.Body.Len())
		}
		if tt.writes > 0 && w.writes != tt.writes {
			t.Errorf("range %q: %d writes, want %d", tt.rng, w.writes, tt.writes)
		}
	}
}
