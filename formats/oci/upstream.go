package oci

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"hoard/regtoken"
)

// UpstreamTransport implements formats.UpstreamTransporter: registries take
// credentials through the token protocol, with a token scope per repository and
// action.
func (Format) UpstreamTransport(base http.RoundTripper, upstreams []*url.URL, userAgent string) http.RoundTripper {
	return regtoken.New(base, regtoken.Config{Upstreams: upstreams, Scope: scopeOf, Refused: refused, UserAgent: userAgent})
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
