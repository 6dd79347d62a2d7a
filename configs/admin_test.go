package configs

import (
	"strings"
	"testing"
)

func TestAdminListenBeyondLoopbackNeedsToken(t *testing.T) {
	for _, c := range []struct {
		listen, token string
		ok            bool
	}{
		{"127.0.0.1:8081", "", true},
		{"[::1]:8081", "", true},
		{"localhost:8081", "", true},
		{"off", "", true},
		{":8081", "", false},
		{"0.0.0.0:8081", "", false},
		{"10.0.0.5:8081", "", false},
		{"0.0.0.0:8081", "env:HOARD_ADMIN_SECRET", true},
		{"127.0.0.1:8081", "s3cret", false}, // never the token itself
		{"nonsense", "", false},
	} {
		err := Admin{Listen: c.listen, Token: c.token}.validate()
		if (err == nil) != c.ok {
			t.Errorf("listen %q token %q: %v, want ok=%v", c.listen, c.token, err, c.ok)
		}
	}
}

func TestAdminDefaultIsLoopback(t *testing.T) {
	def := Default()
	if def.Admin.Listen != "127.0.0.1:8081" || def.Admin.Token != "" {
		t.Errorf("default admin %+v", def.Admin)
	}
	err := Admin{Listen: ":8081"}.validate()
	if err == nil || !strings.Contains(err.Error(), "admin.token") {
		t.Errorf("error does not say what to set: %v", err)
	}
}

func TestAdminReadToken(t *testing.T) {
	t.Setenv("HOARD_TEST_ADMIN", "tok")
	if v, err := (Admin{Token: "env:HOARD_TEST_ADMIN"}).ReadToken(); err != nil || v != "tok" {
		t.Errorf("env token %q %v", v, err)
	}
	if _, err := (Admin{Token: "env:HOARD_TEST_ADMIN_UNSET"}).ReadToken(); err == nil {
		t.Error("an empty variable was accepted")
	}
}
