package lockfile

import (
	"errors"
	"fmt"
	"strings"
)

// mavenScopes end the coordinates `mvn dependency:list` prints.
var mavenScopes = map[string]bool{"compile": true, "runtime": true, "test": true, "provided": true, "system": true, "import": true}

// mavenPackagings are the types that may stand third in group:artifact:type:version.
var mavenPackagings = map[string]bool{"jar": true, "pom": true, "war": true, "ear": true, "aar": true, "zip": true,
	"maven-plugin": true, "test-jar": true, "bundle": true, "rar": true, "ejb": true, "module": true}

// ParseMavenCoordinate reads one coordinate as people write it
// (group:artifact:version[:type]) or as `mvn dependency:list` prints it
// (group:artifact:type[:classifier]:version:scope, after "[INFO]").
func ParseMavenCoordinate(line string) (Package, error) {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "[INFO]"))
	if i := strings.Index(s, " -- "); i >= 0 {
		s = s[:i] // " -- module name" from newer plugins
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "(optional)"))
	f := strings.Split(s, ":")
	var p Package
	switch n := len(f); {
	case n == 3:
		p = Package{Name: f[0] + ":" + f[1], Version: f[2]}
	case n == 5 && mavenScopes[f[4]]:
		p = Package{Name: f[0] + ":" + f[1], Type: f[2], Version: f[3]}
	case n == 6 && mavenScopes[f[5]]:
		p = Package{Name: f[0] + ":" + f[1], Type: f[2], Classifier: f[3], Version: f[4]}
	case n == 4 && mavenPackagings[f[2]] && !mavenPackagings[f[3]]:
		p = Package{Name: f[0] + ":" + f[1], Type: f[2], Version: f[3]}
	case n == 4:
		p = Package{Name: f[0] + ":" + f[1], Version: f[2], Type: f[3]}
	default:
		return Package{}, fmt.Errorf("%s: not group:artifact:version[:type]", quoteShort(s))
	}
	if p.Type == "jar" {
		p.Type = ""
	}
	if !validMavenPart(f[0]) || !validMavenPart(f[1]) || !validMavenPart(p.Version) ||
		(p.Type != "" && !validMavenPart(p.Type)) || (p.Classifier != "" && !validMavenPart(p.Classifier)) {
		return Package{}, fmt.Errorf("%s: a part is empty or has characters a Maven coordinate cannot", quoteShort(s))
	}
	return p, nil
}

// validMavenPart: what a path segment of the repository layout may be.
func validMavenPart(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._+~", c) >= 0) {
			return false
		}
	}
	return true
}

// looksLikeMavenList: every line is a coordinate (none has a slash, which every
// image reference with a repository path has).
func looksLikeMavenList(data []byte) bool {
	ls := lines(data, "#")
	if len(ls) == 0 {
		return false
	}
	for _, ln := range ls {
		if _, err := ParseMavenCoordinate(ln); err != nil && !isMavenBanner(ln) {
			return false
		}
	}
	return true
}

func parseMavenList(data []byte, l *List) error {
	var errs []error
	for _, ln := range lines(data, "#") {
		p, err := ParseMavenCoordinate(ln)
		if err != nil {
			if !isMavenBanner(ln) {
				errs = append(errs, err)
			}
			continue
		}
		l.Packages = append(l.Packages, p)
	}
	return errors.Join(errs...)
}

// isMavenBanner: mvn's own lines around the list ("[INFO] The following files
// have been resolved:", "[INFO] none").
func isMavenBanner(ln string) bool {
	return strings.HasPrefix(ln, "[INFO]") || strings.HasPrefix(ln, "[WARNING]")
}

// parseGradle reads gradle.lockfile: "group:artifact:version=configurations",
// with "empty=..." naming configurations without dependencies.
func parseGradle(data []byte, l *List) error {
	var errs []error
	for _, ln := range lines(data, "#") {
		coord, _, _ := strings.Cut(ln, "=")
		if coord == "empty" {
			continue
		}
		p, err := ParseMavenCoordinate(coord)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l.Packages = append(l.Packages, p)
	}
	return errors.Join(errs...)
}
