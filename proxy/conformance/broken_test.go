package conformance

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"hoard/formats"
	"hoard/formats/maven"
)

// broken is Maven with one deliberate fault, named by fault ("" for none): each
// fault breaks what one check of the suite guards.
type broken struct {
	maven.Format
	fault string
}

func (b broken) Route(r *http.Request, rest string) (formats.Route, error) {
	rt, err := b.Format.Route(r, rest)
	switch {
	case b.fault == "traversal" && strings.Contains(strings.ToLower(rest), "%2e%2e"):
		// Decodes what the real format refuses, and keeps the traversal.
		return formats.Route{Kind: formats.Artifact, Key: "x/../" + rest[1:], Path: "/../" + rest[1:]}, nil
	case err != nil:
		return rt, err
	case b.fault == "classification" && rt.Kind == formats.Artifact:
		// Treats release artifacts as metadata that may change.
		rt.Kind, rt.TTLClass = formats.Metadata, "metadata"
	case b.fault == "key-stability" && (rt.Kind == formats.Artifact || rt.Kind == formats.Metadata):
		// Keys depend on who asks.
		if r.Header.Get("Authorization") != "" {
			rt.Key += ".private"
		}
	case b.fault == "hostile-publish" && rt.Kind == formats.Publish:
		rt.ParseBody = true
	}
	return rt, nil
}

// ReadsWhole reads every jar whole, as though it were a document to check.
func (b broken) ReadsWhole(rt formats.Route) bool {
	return b.fault == "traits" && rt.Kind == formats.Artifact
}

// WriteError answers an HTML page, as a web server's default error page would.
func (b broken) WriteError(w http.ResponseWriter, r *http.Request, status int, err error) {
	if b.fault != "error-shape" {
		b.Format.WriteError(w, r, status, err)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<h1>%d</h1>", status)
}

// CheckBody refuses everything, so nothing the upstream sends is ever served.
func (b broken) CheckBody(rt formats.Route, h http.Header, head []byte) error {
	if b.fault == "engine" {
		return errors.New("refused")
	}
	return b.Format.CheckBody(rt, h, head)
}

// brokenParser accepts any publish body and makes an attachment of it, keyed by
// whatever the body says.
type brokenParser struct{ broken }

func (brokenParser) ParsePublish(rt formats.Route, body []byte) ([]formats.Attachment, error) {
	return []formats.Attachment{{Key: "../" + string(body), Data: body}}, nil
}

func brokenSubject(fault string) Subject {
	s := mavenSubject()
	s.New = func() formats.Format { return broken{Format: maven.New(), fault: fault} }
	if fault == "hostile-publish" {
		s.New = func() formats.Format { return brokenParser{broken{Format: maven.New(), fault: fault}} }
		s.Publish = &Request{Method: http.MethodPut, Path: "/com/acme/lib/1.0/lib-1.0.jar", Body: []byte("PK\x03\x04")}
	}
	return s
}

// The suite fails a format that breaks any of its checks, in that check; the same
// wrapper without a fault passes, so the failures are the faults'.
func TestSuiteFailsBrokenFormat(t *testing.T) {
	if got := Failures(t, brokenSubject("")); len(got) > 0 {
		t.Fatalf("the wrapper without a fault fails: %v", got)
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			got := Failures(t, brokenSubject(c.name))
			if len(got[c.name]) == 0 {
				t.Errorf("a format broken for %s passes that check (failures elsewhere: %v)", c.name, got)
			}
			t.Logf("%s: %d failures, first: %s", c.name, len(got[c.name]), first(got[c.name]))
		})
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
