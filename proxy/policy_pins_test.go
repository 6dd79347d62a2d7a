package proxy

import (
	"testing"

	"hoard/configs"
)

// A policy's pins reach the cache: entries filled under them are pinned, and a
// reload without them unpins.
func TestPolicyPinsReachTheCache(t *testing.T) {
	o := newOrigin(t)
	o.add(jarPath, []byte("jar"))
	o.add("/org/other/x/1.0/x-1.0.jar", []byte("other"))
	e := newEnv(t, o, func(c *configs.Config) { c.Mounts[0].Policy.Pins = []string{"com/example/*"} })
	mustGet(t, e.url(jarPath), []byte("jar"))
	mustGet(t, e.url("/org/other/x/1.0/x-1.0.jar"), []byte("other"))
	if ps, err := e.store.Pinned(); err != nil || ps.Entries != 1 || ps.Bytes != 3 {
		t.Fatalf("Pinned() = %+v, %v; want the one jar under com/example", ps, err)
	}
	cfg := testConfig(e.dir, o.srv.URL)
	if err := e.srv.SetPolicies(cfg); err != nil {
		t.Fatal(err)
	}
	if ps, _ := e.store.Pinned(); ps.Entries != 0 {
		t.Errorf("after a reload without pins, %d entries pinned", ps.Entries)
	}
}
