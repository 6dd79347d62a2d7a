package origin

import (
	"path/filepath"
	"testing"
)

func TestChecksums(t *testing.T) {
	root := tree(t)
	write(t, filepath.Join(root, "g/a/1.0/a-1.0.pom.sha1"), "published")
	o := New(Options{Root: root, Checksums: true})
	tests := []struct{ path, want string }{
		{"/g/a/1.0/a-1.0.jar.sha1", "87acec17cd9dcd20a716cc2cf67417b71c8a7016"}, // sha1("0123456789")
		{"/g/a/1.0/a-1.0.jar.md5", "781e5e245d69b566979b86e28d23f2c7"},
		{"/g/a/1.0/a-1.0.jar.sha256", "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882"},
		{"/g/a/1.0/a-1.0.pom.sha1", "published"}, // a real file wins
	}
	for _, tt := range tests {
		if w := do(t, o, "GET", tt.path, nil); w.Code != 200 || w.Body.String() != tt.want {
			t.Errorf("%s: %d %q, want %q", tt.path, w.Code, w.Body, tt.want)
		}
	}
	if w := do(t, o, "GET", "/g/a/1.0/missing.jar.sha1", nil); w.Code != 404 {
		t.Errorf("checksum of a missing file: %d", w.Code)
	}
	if w := do(t, New(Options{Root: root}), "GET", "/g/a/1.0/a-1.0.jar.sha1", nil); w.Code != 404 {
		t.Errorf("without Checksums: %d", w.Code)
	}
}
