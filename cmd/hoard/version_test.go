package main

import (
	"runtime/debug"
	"testing"
)

func TestVCSCommitMarksDirtyTrees(t *testing.T) {
	for _, c := range []struct {
		settings []debug.BuildSetting
		want     string
	}{
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}, "abc"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}, "abc-dirty"},
		{nil, ""},
	} {
		if got := vcsCommit(c.settings); got != c.want {
			t.Errorf("vcsCommit(%v) = %q, want %q", c.settings, got, c.want)
		}
	}
}

func TestLinkerValuesWin(t *testing.T) {
	version, commit = "v1.2.3", "feed"
	defer func() { version, commit = "", "" }()
	if b := readBuildInfo(); b.Version != "v1.2.3" || b.Commit != "feed" {
		t.Errorf("readBuildInfo() = %+v; want the -ldflags values", b)
	}
}
