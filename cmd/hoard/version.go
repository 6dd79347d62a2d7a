package main

import (
	"fmt"
	"runtime/debug"
)

// version and commit may be set at link time, for builds without VCS stamping
// (a source tarball, say):
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234" ./cmd/hoard
//
// Left empty, they come from the module version and the vcs.* settings Go stamps
// into binaries built inside a git checkout.
var (
	version string
	commit  string
)

// buildInfo is the version and commit this binary reports.
type buildInfo struct{ Version, Commit string }

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Commit: commit}
	info, ok := debug.ReadBuildInfo()
	if ok {
		if b.Version == "" {
			b.Version = info.Main.Version
		}
		if b.Commit == "" {
			b.Commit = vcsCommit(info.Settings)
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

// vcsCommit is the stamped revision, marked "-dirty" when the tree had changes.
func vcsCommit(settings []debug.BuildSetting) string {
	var rev string
	dirty := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && dirty {
		rev += "-dirty"
	}
	return rev
}

func (b buildInfo) String() string { return fmt.Sprintf("hoard %s (commit %s)", b.Version, b.Commit) }
