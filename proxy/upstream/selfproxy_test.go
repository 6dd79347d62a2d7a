package upstream

import (
	"net/url"
	"testing"
)

func TestProxyNamingHoardItselfIsNotUsed(t *testing.T) {
	cases := []struct {
		proxy, listen string
		self          bool
	}{
		{"http://127.0.0.1:3128", ":3128", true},
		{"http://localhost:3128", "0.0.0.0:3128", true},
		{"http://127.0.0.1:3128", "127.0.0.1:3128", true},
		{"http://proxy.corp:3128", "proxy.corp:3128", true},
		{"http://127.0.0.1:3129", ":3128", false},
		{"http://proxy.corp:3128", ":3128", false}, // another machine's proxy
		{"http://127.0.0.1:3128", "10.0.0.5:3128", false},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.proxy)
		host, port := splitListen(c.listen)
		if got := isSelf(u, host, port); got != c.self {
			t.Errorf("proxy %s, listening on %s: self %v, want %v", c.proxy, c.listen, got, c.self)
		}
	}
}
