package oci

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"

	"hoard/formats"
)

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
		status int
		err    error
		path   string
		code   string
		text   string
	}{
		{400, errorf(formats.ErrBadPath, CodeNameInvalid, "invalid repository name"), "", CodeNameInvalid, "invalid repository name"},
		{400, errorf(formats.ErrBadPath, CodeDigestInvalid, "invalid digest"), "", CodeDigestInvalid, "invalid digest"},
		{404, errors.New("not found"), "/v2/m/a/manifests/v1", CodeManifestUnknown, "not found"},
		{404, errors.New("not found"), "/v2/m/a/blobs/" + d256, CodeBlobUnknown, "not found"},
		{404, errors.New("Not Found"), "/v2/m/a/blobs/uploads/u1", CodeBlobUploadUnknown, "Not Found"},
		{404, errors.New("not found"), "/v2/m/a/tags/list", CodeNameUnknown, "not found"},
		{401, errors.New("authentication required"), "", CodeUnauthorized, "authentication required"},
		{403, errors.New("token lacks the write:packages scope"), "", CodeDenied, "token lacks the write:packages scope"},
		{405, errorf(formats.ErrMethod, CodeUnsupported, "method POST not allowed here"), "", CodeUnsupported, "method POST not allowed here"},
		{429, errors.New("rate limit exceeded"), "", CodeTooManyRequests, "rate limit exceeded"},
		{502, errors.New("upstream fetch failed"), "", CodeUnknown, "upstream fetch failed"},
		{404, formats.ErrNoMount, "/v2/nomount/a/manifests/v1", CodeNameUnknown, formats.ErrNoMount.Error()},
		{400, errors.New("LOOKS_LIKE: but is not a code"), "", CodeNameInvalid, "LOOKS_LIKE: but is not a code"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		path := c.path
		if path == "" {
			path = "/v2/"
		}
		f.WriteError(rec, httptest.NewRequest("GET", path, nil), c.status, c.err)
		if rec.Code != c.status {
			t.Errorf("%q: status %d", c.err, rec.Code)
		}
		if got := decodeError(t, rec); got.Code != c.code || got.Message != c.text {
			t.Errorf("%d %q at %q: %+v, want %s %q", c.status, c.err, c.path, got, c.code, c.text)
		}
	}
}
