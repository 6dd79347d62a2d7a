package lockfile

import (
	"strings"
)

// parseGemfileLock reads the specs of Gemfile.lock's GEM sections: a spec is
// indented four spaces, "name (version[-platform])"; its own dependencies, six.
// GIT and PATH sections name no registry gem and are skipped.
func parseGemfileLock(data []byte, l *List) error {
	section, inSpecs := "", false
	for _, ln := range strings.Split(string(data), "\n") {
		ln = strings.TrimRight(ln, "\r")
		switch {
		case ln == "":
			section, inSpecs = "", false
		case !strings.HasPrefix(ln, " "):
			section, inSpecs = ln, false
		case strings.TrimSpace(ln) == "specs:":
			inSpecs = true
		case section == "GEM" && inSpecs && strings.HasPrefix(ln, "    ") && !strings.HasPrefix(ln, "     "):
			addGem(l, strings.TrimSpace(ln))
		case (section == "GIT" || section == "PATH") && inSpecs && strings.HasPrefix(ln, "    ") && !strings.HasPrefix(ln, "     "):
			l.Skipped = append(l.Skipped, strings.TrimSpace(ln)+": from "+strings.ToLower(section))
		}
	}
	return nil
}

func addGem(l *List, spec string) {
	name, rest, ok := strings.Cut(spec, " (")
	version, ok2 := strings.CutSuffix(rest, ")")
	if !ok || !ok2 || !validGemPart(name) {
		l.Skipped = append(l.Skipped, quoteShort(spec)+": not name (version)")
		return
	}
	// Gem versions never hold "-": what follows one is the platform.
	version, platform, _ := strings.Cut(version, "-")
	if !validGemPart(version) || (platform != "" && !validGemPart(platform)) {
		l.Skipped = append(l.Skipped, quoteShort(spec)+": not name (version)")
		return
	}
	l.Packages = append(l.Packages, Package{Name: name, Version: version, Platform: platform})
}

func validGemPart(s string) bool {
	if s == "" || len(s) > 128 || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._", c) >= 0) {
			return false
		}
	}
	return true
}
