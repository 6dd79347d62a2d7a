package proxy

import "testing"

// A token the upstream no longer takes (expired early) is replaced once, and the
// request retried with the new one.
func TestOCIRejectedTokenRenewed(t *testing.T) {
	f := newFakeRegistry(t)
	h := ociHoard(t, f.srv.URL)
	url := h.URL + "/v2/m/lib/img/manifests/v1"
	if resp, _ := ociDo(t, "GET", url, map[string]string{"Accept": ociAccept}); resp.StatusCode != 200 {
		t.Fatalf("first pull: %d", resp.StatusCode)
	}
	f.rejectTokens.Store(1)
	if resp, _ := ociDo(t, "HEAD", url, map[string]string{"Accept": ociAccept}); resp.StatusCode != 200 {
		t.Fatalf("after a rejected token: %d", resp.StatusCode)
	}
	if n := f.tokenCalls.Load(); n != 2 {
		t.Fatalf("token requests %d, want 2 (one renewal)", n)
	}
}
