package bundle

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// First-seen records of the exported mounts travel with the bundle; a site that
// saw a version earlier keeps its own time, and records of mounts not exported
// stay behind.
func TestFirstSeenRecordsTravel(t *testing.T) {
	src := source(t)
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	src.FirstSeenBy("npm/a", "npm/pkg/a", t0)
	src.FirstSeenBy("npm/a@1.0.0", "npm/pkg/a", t0.Add(time.Hour))
	src.FirstSeen("other/z@1", t0)
	b := export(t, src, nil, ExportOptions{})
	dst := openStore(t)
	dst.FirstSeen("npm/a", t0.Add(-time.Hour)) // seen here first
	rep, err := Import(context.Background(), dst, ImportOptions{Mounts: mounts}, bytes.NewReader(b))
	if err != nil || rep.Seen != 2 {
		t.Fatalf("import %+v, %v; want 2 records", rep, err)
	}
	if got, _, _ := dst.SeenAt("npm/a@1.0.0"); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("npm/a@1.0.0 seen at %v, want the exporter's %v", got, t0.Add(time.Hour))
	}
	if got, _, _ := dst.SeenAt("npm/a"); !got.Equal(t0.Add(-time.Hour)) {
		t.Errorf("the site's earlier sighting was replaced: %v", got)
	}
	if _, found, _ := dst.SeenAt("other/z@1"); found {
		t.Error("a record of a mount not exported was carried")
	}
	dry := openStore(t)
	if _, err := Import(context.Background(), dry, ImportOptions{Mounts: mounts, DryRun: true}, bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := dry.SeenAt("npm/a@1.0.0"); found {
		t.Error("a dry run wrote a record")
	}
}
