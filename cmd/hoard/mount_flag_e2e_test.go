package main_test

import (
	"os/exec"
	"strings"
	"testing"
)

// One-line mounts with options: the real binary takes ttl, ttl.CLASS, credential and
// anonymous_read after the URL, sends nothing of them upstream as part of the URL,
// and refuses an unknown key by name.
func TestMountFlagOptions(t *testing.T) {
	needE2E(t)
	_, out := configPrint(t, "--mount", `mvn=maven,http://127.0.0.1:9/maven2,ttl=1s,ttl.snapshot=2m,credential=none,anonymous_read=true`,
		"--mount", `odd=npm,http://127.0.0.1:9/a\,b`)
	for _, want := range []string{
		"upstream: http://127.0.0.1:9/maven2\n", "metadata: 1s", "snapshot: 2m0s", "credential: none", "anonymous_read: true",
		"upstream: http://127.0.0.1:9/a,b\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config print lacks %q:\n%s", want, out)
		}
	}
	bad, err := exec.Command(hoardBinary(t), "config", "print", "--mount", "mvn=maven,http://127.0.0.1:9/maven2,tll=1s").CombinedOutput()
	if err == nil || !strings.Contains(string(bad), `unknown key "tll"`) {
		t.Errorf("an unknown --mount key: %v\n%s", err, bad)
	}
	bad, err = exec.Command(hoardBinary(t), "config", "print", "--mount", "o=oci,http://127.0.0.1:9,ttl.packument=1s").CombinedOutput()
	if err == nil || !strings.Contains(string(bad), `no TTL class "packument"`) {
		t.Errorf("a TTL class the format lacks: %v\n%s", err, bad)
	}
}
