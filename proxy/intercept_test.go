package proxy

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"hoard/configs"
)

func TestInterceptFindsTheMountByHostAndBasePath(t *testing.T) {
	o := newOrigin(t)
	e := newEnv(t, o, func(c *configs.Config) {
		c.Mounts = []configs.Mount{
			{Name: "maven", Format: "maven", Upstream: o.srv.URL + "/repo"},
			{Name: "all", Format: "maven", Upstream: o.srv.URL + "/", Intercept: []string{"npm.registry.test"}},
		}
	})
	host := strings.TrimPrefix(o.srv.URL, "http://")
	cases := []struct {
		url, mount, sub string
	}{
		{"http://" + host + "/repo/com/x/1/x-1.jar", "maven", "/com/x/1/x-1.jar"},
		{"https://" + host + "/repo/com/x/1/x-1.jar", "maven", "/com/x/1/x-1.jar"}, // CONNECT to the same host:port
		{"http://" + host + "/repox/y", "all", "/repox/y"},                         // not under /repo
		{"http://" + host + "/left-pad", "all", "/left-pad"},
		{"https://npm.registry.test/@acme%2fx", "all", "/@acme%2fx"},
		{"https://NPM.registry.test:443/left-pad", "all", "/left-pad"},
		{"https://npm.registry.test:8443/left-pad", "", ""}, // another port is another host
		{"https://elsewhere.test/left-pad", "", ""},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.url)
		r, ok := e.srv.Intercept(httptest.NewRequest(http.MethodGet, c.url, nil), u)
		if !ok {
			if c.mount != "" {
				t.Errorf("%s: not intercepted, want mount %s", c.url, c.mount)
			}
			continue
		}
		got, _ := interceptOf(r)
		if got.m.name != c.mount || got.sub != c.sub {
			t.Errorf("%s: mount %s path %s, want %s %s", c.url, got.m.name, got.sub, c.mount, c.sub)
		}
	}
}

func TestInterceptedRequestIsServedFromTheMount(t *testing.T) {
	o := newOrigin(t)
	o.publish(jarPath, []byte("jar bytes"))
	e := newEnv(t, o)
	u, _ := url.Parse(o.srv.URL + jarPath)
	r, ok := e.srv.Intercept(httptest.NewRequest(http.MethodGet, u.String(), nil), u)
	if !ok {
		t.Fatal("the mount's own upstream host was not intercepted")
	}
	for _, want := range []string{"miss", "hit"} {
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Body.String() != "jar bytes" || w.Header().Get("X-Hoard-Cache") != want {
			t.Fatalf("intercepted GET: %d %q %s, want 200 and %s", w.Code, w.Body, w.Header().Get("X-Hoard-Cache"), want)
		}
		e.waitFills()
	}
}
