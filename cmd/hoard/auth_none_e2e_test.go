package main_test

import "testing"

// TestAuthNoneModeUpstreamDecides: with --auth none hoard checks no token itself; the
// caller's credentials go upstream and every cell of the scope matrix gets GitHub's
// own answer. The private-content rule still holds: what alice's reads cached is a
// 404 for bob.
func TestAuthNoneModeUpstreamDecides(t *testing.T) {
	e := newAuthEnv(t)
	seedMatrix(e)
	e.start(hoardConfig{mode: "none"})
	n := 0
	for _, f := range matrixFormats {
		for _, role := range matrixRoles {
			for _, action := range []string{"read", "publish", "delete"} {
				n++
				var steps []step
				switch action {
				case "read":
					steps = f.read(e, e.creds[role])
				case "publish":
					steps = f.pub(e, e.creds[role], n)
				case "delete":
					steps = f.del(e, e.creds[role])
				}
				want := matrixWant[role][action]
				for _, s := range steps {
					if (want == 0 && s.got.status != s.want) || (want != 0 && s.got.status != want) {
						t.Errorf("%s/%s/%s: %s: %d, want %d (%d when allowed): %.200s", f.name, role, action, s.name, s.got.status, want, s.want, s.got.body)
					}
				}
			}
		}
	}
	for _, f := range matrixFormats {
		for _, s := range f.read(e, e.creds["read"]) {
			if s.got.status != 200 {
				t.Fatalf("%s: alice %s: %d", f.name, s.name, s.got.status)
			}
		}
		for _, s := range f.read(e, e.creds["bob"]) {
			if s.got.status != 404 {
				t.Errorf("%s: bob %s of what alice cached: %d, want 404: %.200s", f.name, s.name, s.got.status, s.got.body)
			}
		}
	}
}
