package main

// hadolint does not install here, so its rules that matter for this image are
// checked in Go: each rule reads the parsed directives and names what it finds
// wrong, and each is shown to fire on a Dockerfile that breaks it. Rule names
// follow hadolint's (DLxxxx) where one exists.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type dockerRule struct {
	name  string
	check func(ds []directive) []string
}

var dockerRules = []dockerRule{
	{"DL3006/DL3007 base image pinned to a version or digest, never latest", pinnedBases},
	{"DL3020 COPY, not ADD", func(ds []directive) []string {
		return each(ds, "ADD", always("ADD fetches and unpacks implicitly: use COPY"))
	}},
	{"DL3002 last USER not root", lastUserNotRoot},
	{"DL3000 absolute WORKDIR", func(ds []directive) []string {
		return each(ds, "WORKDIR", func(d directive) string {
			if !strings.HasPrefix(d.args, "/") {
				return "WORKDIR " + d.args + " is relative"
			}
			return ""
		})
	}},
	{"DL3003 WORKDIR, not cd", runMatches(regexp.MustCompile(`(^|&&|;)\s*cd\s`), "cd in RUN: use WORKDIR")},
	{"DL3004 no sudo", runMatches(regexp.MustCompile(`(^|\s)sudo\s`), "sudo in RUN: the build runs as root already")},
	{"DL3009/DL3014/DL3015 apt-get install -y --no-install-recommends, lists removed", aptHygiene},
	{"DL4006 pipes fail the build", runMatches(regexp.MustCompile(`[^|]\|[^|]`), "a pipe in RUN hides a failing first command: set -o pipefail or avoid the pipe")},
	{"DL3021/DL3022/DL3023 COPY sources and stages", copyChecks},
	{"DL3024 unique stage names", uniqueStages},
	{"DL3011 valid EXPOSE ports", func(ds []directive) []string {
		return each(ds, "EXPOSE", func(d directive) string {
			for _, p := range strings.Fields(d.args) {
				n, err := strconv.Atoi(strings.Split(p, "/")[0])
				if err != nil || n < 1 || n > 65535 {
					return "EXPOSE " + p + " is not a port"
				}
			}
			return ""
		})
	}},
	{"HEALTHCHECK present", func(ds []directive) []string {
		if len(each(ds, "HEALTHCHECK", always("x"))) == 0 {
			return []string{"no HEALTHCHECK: the engine cannot tell a hung daemon"}
		}
		return nil
	}},
}

func TestDockerfileFollowsHadolintRules(t *testing.T) {
	ds := parseDockerfile(t, "../../Dockerfile")
	for _, r := range dockerRules {
		for _, p := range r.check(ds) {
			t.Errorf("%s: %s", r.name, p)
		}
	}
}

// Each rule fires on a Dockerfile that breaks it: a check that never fails would
// pass any Dockerfile.
func TestDockerfileRulesCatchBreakage(t *testing.T) {
	bad := map[string]string{
		"DL3006/DL3007 base image pinned to a version or digest, never latest": "FROM golang:latest AS build\nFROM debian\n",
		"DL3020 COPY, not ADD":      "FROM scratch\nADD app.tar.gz /\n",
		"DL3002 last USER not root": "FROM scratch\nUSER 10001\nUSER root\n",
		"DL3000 absolute WORKDIR":   "FROM scratch\nWORKDIR src\n",
		"DL3003 WORKDIR, not cd":    "FROM debian:12\nRUN cd /src && make\n",
		"DL3004 no sudo":            "FROM debian:12\nRUN sudo make install\n",
		"DL3009/DL3014/DL3015 apt-get install -y --no-install-recommends, lists removed": "FROM debian:12\nRUN apt-get update && apt-get install curl\n",
		"DL4006 pipes fail the build":                  "FROM debian:12\nRUN curl -f x | sh\n",
		"DL3021/DL3022/DL3023 COPY sources and stages": "FROM debian:12 AS a\nCOPY --from=a /x /y\nCOPY --from=nowhere /x /y\nCOPY a b c\n",
		"DL3024 unique stage names":                    "FROM debian:12 AS a\nFROM debian:12 AS a\n",
		"DL3011 valid EXPOSE ports":                    "FROM scratch\nEXPOSE 80800\n",
		"HEALTHCHECK present":                          "FROM scratch\nUSER 1\n",
	}
	for _, r := range dockerRules {
		src, ok := bad[r.name]
		if !ok {
			t.Errorf("rule %q has no breaking example", r.name)
			continue
		}
		p := filepath.Join(t.TempDir(), "Dockerfile")
		os.WriteFile(p, []byte(src), 0o644)
		if got := r.check(parseDockerfile(t, p)); len(got) == 0 {
			t.Errorf("%s: nothing found in\n%s", r.name, src)
		}
	}
}

func each(ds []directive, name string, fn func(directive) string) []string {
	var out []string
	for _, d := range ds {
		if d.name == name {
			if p := fn(d); p != "" {
				out = append(out, fmt.Sprintf("line %d: %s", d.line, p))
			}
		}
	}
	return out
}

func always(msg string) func(directive) string { return func(directive) string { return msg } }

func runMatches(re *regexp.Regexp, msg string) func([]directive) []string {
	return func(ds []directive) []string {
		return each(ds, "RUN", func(d directive) string {
			if re.MatchString(d.args) {
				return msg
			}
			return ""
		})
	}
}

// stageNames are the AS names of the FROM lines, in order.
func stageNames(ds []directive) []string {
	var out []string
	for _, d := range ds {
		if f := strings.Fields(d.args); d.name == "FROM" && len(f) == 3 && strings.EqualFold(f[1], "AS") {
			out = append(out, f[2])
		}
	}
	return out
}

// versionTag: a tag that names a version (golang:1.26-bookworm), not a moving
// name alone (debian, golang:bookworm, golang:latest).
var versionTag = regexp.MustCompile(`^[^@]+:v?[0-9][^:/]*$`)

func pinnedBases(ds []directive) []string {
	stages := stageNames(ds)
	return each(ds, "FROM", func(d directive) string {
		f := strings.Fields(d.args)
		image := f[len(f)-1]
		if len(f) >= 3 {
			image = f[len(f)-3]
		}
		image = strings.TrimPrefix(image, "--platform=")
		switch {
		case image == "scratch" || containsName(stages, image):
			return ""
		case strings.Contains(image, "@sha256:"):
			return ""
		case !versionTag.MatchString(image):
			return "FROM " + image + " is not pinned to a version tag or a digest"
		}
		return ""
	})
}

func containsName(names []string, s string) bool {
	for _, n := range names {
		if strings.EqualFold(n, s) {
			return true
		}
	}
	return false
}

func lastUserNotRoot(ds []directive) []string {
	last := ""
	for _, d := range ds {
		if d.name == "FROM" {
			last = "" // a new stage starts as root again
		}
		if d.name == "USER" {
			last = d.args
		}
	}
	user := strings.Split(last, ":")[0]
	if last == "" || user == "0" || user == "root" {
		return []string{"the final stage runs as root (USER " + last + ")"}
	}
	return nil
}

func aptHygiene(ds []directive) []string {
	return each(ds, "RUN", func(d directive) string {
		if !strings.Contains(d.args, "apt-get install") {
			return ""
		}
		var missing []string
		if !regexp.MustCompile(`apt-get install[^&;]*\s(-y|--yes|-qq)\b`).MatchString(d.args) {
			missing = append(missing, "-y")
		}
		if !strings.Contains(d.args, "--no-install-recommends") {
			missing = append(missing, "--no-install-recommends")
		}
		if !strings.Contains(d.args, "rm -rf /var/lib/apt/lists") {
			missing = append(missing, "rm -rf /var/lib/apt/lists/*")
		}
		if len(missing) > 0 {
			return "apt-get install without " + strings.Join(missing, ", ")
		}
		return ""
	})
}

func copyChecks(ds []directive) []string {
	var out []string
	stages := stageNames(ds)
	current := ""
	for _, d := range ds {
		if d.name == "FROM" {
			f := strings.Fields(d.args)
			current = ""
			if len(f) == 3 {
				current = f[2]
			}
			continue
		}
		if d.name != "COPY" {
			continue
		}
		var paths []string
		for _, f := range strings.Fields(d.args) {
			if from, ok := strings.CutPrefix(f, "--from="); ok {
				if strings.EqualFold(from, current) {
					out = append(out, fmt.Sprintf("line %d: COPY --from=%s copies from its own stage", d.line, from))
				} else if !containsName(stages, from) {
					out = append(out, fmt.Sprintf("line %d: COPY --from=%s names no build stage", d.line, from))
				}
			}
			if !strings.HasPrefix(f, "--") {
				paths = append(paths, f)
			}
		}
		if len(paths) > 2 && !strings.HasSuffix(paths[len(paths)-1], "/") {
			out = append(out, fmt.Sprintf("line %d: COPY of several sources into %s, which does not end with /", d.line, paths[len(paths)-1]))
		}
	}
	return out
}

func uniqueStages(ds []directive) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range stageNames(ds) {
		if seen[strings.ToLower(s)] {
			out = append(out, "stage "+s+" is named twice")
		}
		seen[strings.ToLower(s)] = true
	}
	return out
}
