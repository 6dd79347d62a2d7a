package oci

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

type pathRecorder struct {
	*httptest.ResponseRecorder
	path string
}

func (p pathRecorder) RequestPath() string { return p.path }

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) ErrorItem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	var body ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return body.Errors[0]
}

func TestOCIErrorShapes(t *testing.T) {
	f := New()
	cases := []struct {
		status  int
		message string
		path    string
		code    string
		text    string
	}{
		{400, "NAME_INVALID: invalid repository name", "", CodeNameInvalid, "invalid repository name"},
		{400, "DIGEST_INVALID: invalid digest", "", CodeDigestInvalid, "invalid digest"},
		{404, "not found", "/v2/m/a/manifests/v1", CodeManifestUnknown, "not found"},
		{404, "not found", "/v2/m/a/blobs/" + d256, CodeBlobUnknown, "not found"},
		{404, "Not Found", "/v2/m/a/blobs/uploads/u1", CodeBlobUploadUnknown, "Not Found"},
		{404, "not found", "/v2/m/a/tags/list", CodeNameUnknown, "not found"},
		{401, "authentication required", "", CodeUnauthorized, "authentication required"},
		{403, "token lacks the write:packages scope", "", CodeDenied, "token lacks the write:packages scope"},
		{405, "UNSUPPORTED: method POST not allowed here", "", CodeUnsupported, "method POST not allowed here"},
		{429, "rate limit exceeded", "", CodeTooManyRequests, "rate limit exceeded"},
		{502, "upstream fetch failed", "", CodeUnknown, "upstream fetch failed"},
		{400, "LOOKS_LIKE: but is not a code", "", CodeNameInvalid, "LOOKS_LIKE: but is not a code"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		var w http.ResponseWriter = rec
		if c.path != "" {
			w = pathRecorder{rec, c.path}
		}
		f.WriteError(w, c.status, c.message)
		if rec.Code != c.status {
			t.Errorf("%q: status %d", c.message, rec.Code)
		}
		if got := decodeError(t, rec); got.Code != c.code || got.Message != c.text {
			t.Errorf("%d %q at %q: %+v, want %s %q", c.status, c.message, c.path, got, c.code, c.text)
		}
	}
}
