// Package maven speaks the Maven 2 repository layout used by Maven and Gradle:
// release artifacts and their checksums are immutable; maven-metadata.xml and
// SNAPSHOT versions are mutable metadata.
package maven

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"hoard/formats"
)

// Format is the Maven repository protocol. It holds no state.
type Format struct{}

// What the engine may ask of Maven, checked when it compiles.
var (
	_ formats.Format        = Format{}
	_ formats.SidecarLister = Format{}
)

// New returns the Maven format.
func New() Format { return Format{} }

// Name implements formats.Format.
func (Format) Name() string { return "maven" }

// FallThrough: Maven clients expect a group of repositories to be tried in order.
func (Format) FallThrough() bool { return true }

// CheckBody refuses an HTML page served in place of an artifact, as misconfigured
// upstreams and captive portals do with a 200.
func (Format) CheckBody(rt formats.Route, h http.Header, head []byte) error {
	if strings.HasSuffix(rt.Path, ".html") || strings.HasSuffix(rt.Path, ".htm") {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/html") {
		return errors.New("upstream sent an HTML page, not the artifact")
	}
	lead := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\ufeff"))
	if bytes.HasPrefix(lead, []byte("<!doctype html")) || bytes.HasPrefix(lead, []byte("<html")) {
		return errors.New("upstream sent an HTML page, not the artifact")
	}
	return nil
}
