package admin

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The page's files need no token (they hold no data); the API behind them does.
func TestStatusPageServedWithoutTokenAPIWithIt(t *testing.T) {
	s := New(Options{Token: "secret"})
	for path, wantType := range map[string]string{"/": "text/html", "/page/app.js": "text/javascript", "/page/style.css": "text/css"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), wantType) {
			t.Errorf("%s: %d %q", path, rec.Code, rec.Header().Get("Content-Type"))
		}
		if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: no policy keeping the page to its own files", path)
		}
	}
	for _, path := range []string{"/page/nothing.js", "/page/../admin.go"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 404 {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
	for _, path := range []string{"/api/stats", "/api/history", "/api/top", "/api/errors"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d, want 401", path, rec.Code)
		}
	}
}

// The page names only its own files: nothing from another host.
func TestStatusPageLoadsNothingFromOutside(t *testing.T) {
	for _, name := range []string{"index.html", "app.js", "style.css"} {
		b, err := pageFiles.ReadFile("page/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"http://", "https://", "//cdn", "@import"} {
			if i := bytes.Index(b, []byte(bad)); i >= 0 && !bytes.Contains(b[i:min(i+40, len(b))], []byte("www.w3.org/2000/svg")) {
				t.Errorf("%s refers to %q", name, b[i:min(i+40, len(b))])
			}
		}
	}
}

// warm, export and import answer under /api/ and under their first paths.
func TestOldAdminPathsAreAliases(t *testing.T) {
	s := New(Options{Proxy: http.NotFoundHandler()})
	for _, path := range []string{"/api/warm", "/-/admin/warm"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader("not json")))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s with a bad body: %d, want 400 from warm itself", path, rec.Code)
		}
	}
}
