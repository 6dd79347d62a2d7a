package oci

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"hoard/formats"
)

// Error codes of the distribution spec, plus UNKNOWN for failures of Hoard or its
// upstream that the spec has no code for (as the CNCF registry does).
const (
	CodeBlobUnknown         = "BLOB_UNKNOWN"
	CodeBlobUploadInvalid   = "BLOB_UPLOAD_INVALID"
	CodeBlobUploadUnknown   = "BLOB_UPLOAD_UNKNOWN"
	CodeDigestInvalid       = "DIGEST_INVALID"
	CodeManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
	CodeManifestInvalid     = "MANIFEST_INVALID"
	CodeManifestUnknown     = "MANIFEST_UNKNOWN"
	CodeNameInvalid         = "NAME_INVALID"
	CodeNameUnknown         = "NAME_UNKNOWN"
	CodeSizeInvalid         = "SIZE_INVALID"
	CodeUnauthorized        = "UNAUTHORIZED"
	CodeDenied              = "DENIED"
	CodeUnsupported         = "UNSUPPORTED"
	CodeTooManyRequests     = "TOOMANYREQUESTS"
	CodeUnknown             = "UNKNOWN"
)

// codeError is an error of Route or ParsePublish that names its spec code; WriteError
// finds the code with errors.As.
type codeError struct {
	code string
	msg  string
	base error // formats.ErrBadPath or formats.ErrMethod, for the proxy's status
}

func (e *codeError) Error() string { return e.msg }
func (e *codeError) Unwrap() error { return e.base }

func errorf(base error, code, format string, a ...any) error {
	return &codeError{code: code, msg: fmt.Sprintf(format, a...), base: base}
}

// ErrorBody is the spec's error document.
type ErrorBody struct {
	Errors []ErrorItem `json:"errors"`
}

// ErrorItem is one error of an ErrorBody.
type ErrorItem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  any    `json:"detail,omitempty"`
}

// writeErrorCode writes one error in the spec's shape.
func writeErrorCode(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(ErrorBody{Errors: []ErrorItem{{Code: code, Message: message}}})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// WriteError implements formats.Format: the code is a codeError's, or else follows
// from the status and, for 404, from what the request's path asked for.
func (Format) WriteError(w http.ResponseWriter, r *http.Request, status int, err error) {
	var ce *codeError
	switch {
	case errors.As(err, &ce):
		writeErrorCode(w, status, ce.code, ce.msg)
	case errors.Is(err, formats.ErrNoMount):
		writeErrorCode(w, status, CodeNameUnknown, err.Error())
	default:
		writeErrorCode(w, status, codeForStatus(status, r.URL.Path), err.Error())
	}
}

func codeForStatus(status int, path string) string {
	switch status {
	case http.StatusUnauthorized:
		return CodeUnauthorized
	case http.StatusForbidden:
		return CodeDenied
	case http.StatusNotFound:
		return notFoundCode(path)
	case http.StatusMethodNotAllowed:
		return CodeUnsupported
	case http.StatusTooManyRequests:
		return CodeTooManyRequests
	case http.StatusRequestEntityTooLarge:
		return CodeSizeInvalid
	case http.StatusBadRequest:
		return CodeNameInvalid
	}
	return CodeUnknown
}

// notFoundCode picks the spec's code for a 404 from the path's shape.
func notFoundCode(path string) string {
	switch {
	case strings.Contains(path, "/blobs/uploads/"):
		return CodeBlobUploadUnknown
	case strings.Contains(path, "/manifests/"):
		return CodeManifestUnknown
	case strings.Contains(path, "/blobs/"):
		return CodeBlobUnknown
	}
	return CodeNameUnknown
}

// isCode reports whether err is a codeError with the given code.
func isCode(err error, code string) bool {
	var ce *codeError
	return errors.As(err, &ce) && ce.code == code
}
