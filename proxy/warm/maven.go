package warm

import (
	"encoding/xml"
	"strings"

	"hoard/formats/lockfile"
)

// maxParents bounds a chain of parent POMs (a loop would otherwise never end).
const maxParents = 32

// planMaven asks for each artifact, its POM and the POM's parents, with each
// file's .sha1 (Maven asks for it, and offline a missing one is a warning on
// every build).
func planMaven(r *run, t Target) {
	for _, p := range t.List.Packages {
		group, artifact, _ := strings.Cut(p.Name, ":")
		ext, classifier := mavenExtension(p)
		dir := mavenDir(t, group, artifact, p.Version)
		base := dir + "/" + artifact + "-" + p.Version
		what := p.Name + ":" + p.Version
		mavenPOM(r, t, what, group, artifact, p.Version, 0)
		if ext == "pom" && classifier == "" {
			continue
		}
		file := base
		if classifier != "" {
			file += "-" + classifier
		}
		file += "." + ext
		r.do(request{what: what, path: file})
		r.do(request{what: what + " sha1", path: file + ".sha1", optional: true})
	}
}

// mavenExtension maps a dependency type to the file's extension and classifier,
// as Maven's artifact handlers do.
func mavenExtension(p lockfile.Package) (ext, classifier string) {
	switch p.Type {
	case "", "jar", "maven-plugin", "bundle", "ejb":
		return "jar", p.Classifier
	case "test-jar":
		return "jar", "tests"
	}
	return p.Type, p.Classifier
}

func mavenDir(t Target, group, artifact, version string) string {
	prefix := ""
	if t.Prefix != "" {
		prefix = "/" + strings.Trim(t.Prefix, "/")
	}
	return "/" + t.Mount + prefix + "/" + strings.ReplaceAll(group, ".", "/") + "/" + artifact + "/" + version
}

// mavenPOM asks for a POM and, once it is read, for its parent's.
func mavenPOM(r *run, t Target, what, group, artifact, version string, depth int) {
	pom := mavenDir(t, group, artifact, version) + "/" + artifact + "-" + version + ".pom"
	r.do(request{what: what + " pom", path: pom, capture: true, then: func(body []byte) {
		g, a, v, ok := pomParent(body)
		if !ok {
			return
		}
		if depth >= maxParents {
			r.fail(what, pom, "more than 32 parent POMs")
			return
		}
		mavenPOM(r, t, what+" parent "+g+":"+a+":"+v, g, a, v, depth+1)
	}})
	r.do(request{what: what + " pom sha1", path: pom + ".sha1", optional: true})
}

// pomParent reads <parent>'s coordinates; ok is false without one or when a part
// could not be a path segment.
func pomParent(body []byte) (group, artifact, version string, ok bool) {
	var pom struct {
		Parent struct {
			GroupID    string `xml:"groupId"`
			ArtifactID string `xml:"artifactId"`
			Version    string `xml:"version"`
		} `xml:"parent"`
	}
	if xml.Unmarshal(body, &pom) != nil {
		return "", "", "", false
	}
	p := pom.Parent
	g, a, v := strings.TrimSpace(p.GroupID), strings.TrimSpace(p.ArtifactID), strings.TrimSpace(p.Version)
	if g == "" || a == "" || v == "" {
		return "", "", "", false
	}
	if _, err := lockfile.ParseMavenCoordinate(g + ":" + a + ":" + v); err != nil {
		return "", "", "", false
	}
	return g, a, v, true
}
