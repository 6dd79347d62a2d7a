package conformance

import (
	"testing"

	"hoard/formats/builtin"
)

// subjects are the formats registered with the suite, by configuration name.
var subjects = map[string]func() Subject{
	"maven":    mavenSubject,
	"npm":      npmSubject,
	"nuget":    nugetSubject,
	"oci":      ociSubject,
	"rubygems": rubygemsSubject,
}

// Adding a format to the build means describing it to the suite: until it has a
// Subject (and passes, in its own TestNAME), this fails.
func TestEveryFormatRegistered(t *testing.T) {
	for name, f := range builtin.Formats() {
		subject, ok := subjects[name]
		if !ok {
			t.Errorf("format %s is built in but not registered with the conformance suite (add proxy/conformance/%s_test.go)", name, name)
			continue
		}
		if got := subject().New().Name(); got != name || f.Name() != name {
			t.Errorf("format %s: the subject's format is named %q, the built-in one %q", name, got, f.Name())
		}
	}
	for name := range subjects {
		if _, ok := builtin.Formats()[name]; !ok {
			t.Errorf("subject %s names no built-in format", name)
		}
	}
}
