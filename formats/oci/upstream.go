package oci

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"hoard/formats"
	"hoard/formats/internal/regtoken"
)

// UpstreamTransport implements formats.UpstreamTransporter: registries take
// credentials through the token protocol, with a token scope per repository and
// action.
func (Format) UpstreamTransport(base http.RoundTripper, o formats.UpstreamOptions) http.RoundTripper {
	return regtoken.New(base, regtoken.Config{Upstreams: o.Upstreams, TokenRealms: o.TokenRealms,
		Scope: scopeOf, Refused: refused, UserAgent: o.UserAgent})
}

// scopeOf is the token scope a request needs: pull to read, push to write, delete to
// delete, and pull of the source of a cross-repository mount.
func scopeOf(req *http.Request) string {
	repo, ok := RepoOf(req.URL.EscapedPath())
	if !ok {
		return ""
	}
	action := "pull,push"
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		action = "pull"
	case http.MethodDelete:
		action = "delete"
	}
	scope := "repository:" + repo + ":" + action
	if from := req.URL.Query().Get("from"); from != "" && ValidName(from) {
		scope += " repository:" + from + ":pull"
	}
	return scope
}

// refused is a 401 in the spec's error shape, for credentials the token server
// refused: the client is challenged for better ones.
func refused(msg string) *http.Response {
	b, _ := json.Marshal(ErrorBody{Errors: []ErrorItem{{Code: CodeUnauthorized, Message: msg}}})
	return &http.Response{
		StatusCode: http.StatusUnauthorized, Status: "401 Unauthorized", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {basicChallenge}},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
	}
}

// RepoOf finds the repository name in an upstream API path (".../v2/NAME/manifests/REF"
// and the like), for the scope of a token. ok is false for paths outside a repository.
func RepoOf(escapedPath string) (string, bool) {
	i := strings.Index(escapedPath, "/v2/")
	if i < 0 {
		return "", false
	}
	segs := strings.Split(strings.Trim(escapedPath[i+len("/v2/"):], "/"), "/")
	n := len(segs)
	var name []string
	switch {
	case n >= 3 && segs[n-2] == "blobs" && segs[n-1] == "uploads":
		name = segs[:n-2]
	case n >= 4 && segs[n-3] == "blobs" && segs[n-2] == "uploads":
		name = segs[:n-3]
	case n >= 3 && (segs[n-2] == "manifests" || segs[n-2] == "blobs" || segs[n-2] == "referrers"):
		name = segs[:n-2]
	case n >= 3 && segs[n-2] == "tags" && segs[n-1] == "list":
		name = segs[:n-2]
	default:
		return "", false
	}
	repo := strings.Join(name, "/")
	return repo, ValidName(repo)
}
