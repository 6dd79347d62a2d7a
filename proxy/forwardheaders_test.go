package proxy

import (
	"bytes"
	"net/http"
	"testing"

	"hoard/configs"
)

// A client's credential-bearing headers never reach the upstream of a mount that
// does not pass the caller's credentials through, on a HEAD of something not cached
// and a forwarded publish alike; what the protocol needs still goes.
func TestForwardedRequestsCarryOnlyAllowedHeaders(t *testing.T) {
	o := newOrigin(t)
	o.publish(jarPath, []byte("PK jar"))
	e := newEnv(t, o, func(c *configs.Config) { c.Mounts[0].Credential = "none" })
	secret := http.Header{
		"Cookie": {"session=s3cret"}, "Proxy-Authorization": {"Basic s3cret"}, "X-Api-Key": {"s3cret"},
		"Private-Token": {"s3cret"}, "X-Nuget-Apikey": {"s3cret"}, "Authorization": {"Bearer s3cret"},
		"X-Custom": {"s3cret"}, "Accept": {"application/java-archive"},
	}
	const put = "/com/example/lib/9.0/lib-9.0.jar"
	do(t, http.MethodHead, e.url(jarPath), nil, secret.Clone())
	do(t, http.MethodPut, e.url(put), bytes.NewReader([]byte("PK new")), secret.Clone())
	for _, p := range []string{jarPath, put} {
		h := o.lastHeader(p)
		if h == nil {
			t.Fatalf("%s never reached the upstream", p)
		}
		for k := range secret {
			if k == "Accept" {
				continue
			}
			if v := h.Get(k); v != "" {
				t.Errorf("%s: the client's %s reached the upstream: %q", p, k, v)
			}
		}
		if h.Get("Accept") != "application/java-archive" {
			t.Errorf("%s: Accept not forwarded", p)
		}
	}
}
