package conformance

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"testing"

	"hoard/formats"
	"hoard/formats/maven"
)

func TestMaven(t *testing.T) { Run(t, mavenSubject()) }

func mavenSubject() Subject {
	jar := []byte("PK\x03\x04 a jar's bytes")
	meta := []byte(`<?xml version="1.0"?><metadata><groupId>com.acme</groupId><artifactId>lib</artifactId></metadata>`)
	return Subject{
		New:       func() formats.Format { return maven.New() },
		ErrorType: "text/plain",
		Samples: []Sample{
			{Request{Path: "/com/acme/lib/1.0/lib-1.0.jar"}, formats.Artifact, "com/acme/lib/1.0/lib-1.0.jar"},
			{Request{Path: "/com/acme/lib/1.0/lib-1.0.pom.sha1"}, formats.Artifact, "com/acme/lib/1.0/lib-1.0.pom.sha1"},
			{Request{Path: "/com/acme/lib/maven-metadata.xml"}, formats.Metadata, "com/acme/lib/maven-metadata.xml"},
			{Request{Path: "/com/acme/lib/1.0-SNAPSHOT/lib-1.0-20240101.101010-1.jar"}, formats.Metadata,
				"com/acme/lib/1.0-SNAPSHOT/lib-1.0-20240101.101010-1.jar"},
			{Request{Method: http.MethodPut, Path: "/com/acme/lib/1.0/lib-1.0.jar"}, formats.Publish, "com/acme/lib/1.0/lib-1.0.jar"},
			{Request{Method: http.MethodDelete, Path: "/com/acme/lib/1.0/lib-1.0.jar"}, formats.Delete, "com/acme/lib/1.0/lib-1.0.jar"},
		},
		Upstream: map[string]Fixture{
			"/com/acme/lib/1.0/lib-1.0.jar":         {Body: jar, Header: http.Header{"Content-Type": {"application/java-archive"}}},
			"/com/acme/lib/1.0/lib-1.0.jar.sha1":    {Body: []byte(sha1Hex(jar))},
			"/com/acme/lib/maven-metadata.xml":      {Body: meta, Header: http.Header{"Content-Type": {"application/xml"}}},
			"/com/acme/lib/maven-metadata.xml.sha1": {Body: []byte(sha1Hex(meta))},
		},
		Artifact: Request{Path: "/com/acme/lib/1.0/lib-1.0.jar"},
		Metadata: Request{Path: "/com/acme/lib/maven-metadata.xml"},
		Missing:  Request{Path: "/com/acme/lib/9.9/lib-9.9.jar"},
	}
}

func sha1Hex(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }
