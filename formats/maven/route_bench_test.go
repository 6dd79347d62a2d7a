package maven

import (
	"net/http/httptest"
	"testing"
)

func BenchmarkRouteJar(b *testing.B) {
	r := httptest.NewRequest("GET", "/maven/x", nil)
	f := New()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f.Route(r, "/com/acme/x/1.0/x-1.0.jar")
	}
}
