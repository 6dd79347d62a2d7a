package fakegithub

import (
	"encoding/json"
	"net/http"
	"strings"
)

// serveAPI answers GET /user as GitHub's REST API does: for a personal access token
// (classic) or an OAuth token, 200 with the user and the token's scopes in
// X-OAuth-Scopes; for an installation token, 403 "Resource not accessible by
// integration"; for fine-grained and user-to-server tokens, 200 without
// X-OAuth-Scopes; 401 with "Requires authentication" without credentials and "Bad
// credentials" for a token it does not know (revoked, expired, or never made).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/user" {
		writeAPIError(w, http.StatusNotFound, "Not Found")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeAPIError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	tok, present := patOf(r)
	s.mu.Lock()
	down := s.apiDown
	info, known := s.tokens[tok]
	s.mu.Unlock()
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	switch {
	case down:
		writeAPIError(w, http.StatusServiceUnavailable, "Service Unavailable")
	case !present:
		writeAPIError(w, http.StatusUnauthorized, "Requires authentication")
	case !known:
		writeAPIError(w, http.StatusUnauthorized, "Bad credentials")
	case strings.HasPrefix(tok, "ghs_"):
		writeAPIError(w, http.StatusForbidden, "Resource not accessible by integration")
	case info.subject != "":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"login": info.login, "type": "User"})
	default:
		w.Header().Set("X-OAuth-Scopes", info.scopes)
		w.Header().Set("X-Accepted-OAuth-Scopes", "")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"login": info.login, "type": "User"})
	}
}

func writeAPIError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
