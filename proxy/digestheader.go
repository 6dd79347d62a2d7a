package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"hoard/formats"
)

// A digest header (OCI's Docker-Content-Digest) is a promise about the bytes
// served. An upstream's is never passed on: on a forwarded read Hoard names the
// digest of the bytes it relays, computed as it reads them, or names none.

// maxDigestedForward caps a forwarded body read whole to name its digest: the
// manifests that carry one are capped at 4 MiB.
const maxDigestedForward = 4 << 20

// ownDigestHeader replaces the upstream's digest header of a forwarded read by the
// digest of the body that will be relayed (GET), or drops it (HEAD, or a body too
// large to hold). It returns the body to relay.
func ownDigestHeader(r *http.Request, m *mount, resp *http.Response) io.Reader {
	d, ok := m.format.(formats.DigestHeaderer)
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return resp.Body
	}
	name := d.DigestHeader()
	claimed := resp.Header.Get(name)
	resp.Header.Del(name)
	if claimed == "" || r.Method != http.MethodGet || resp.StatusCode != http.StatusOK ||
		resp.ContentLength > maxDigestedForward {
		return resp.Body
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDigestedForward+1))
	if err != nil || len(body) > maxDigestedForward {
		// Relayed without a digest: what was read, then the rest (or the error).
		return io.MultiReader(bytes.NewReader(body), resp.Body)
	}
	sum := sha256.Sum256(body)
	resp.Header.Set(name, "sha256:"+hex.EncodeToString(sum[:]))
	if own := resp.Header.Get(name); own != claimed {
		requestLogger(r).Warn().Str("mount", m.name).Str("claimed", claimed).Str("served", own).
			Msg("upstream named another digest than its body's; serving the body's")
	}
	return bytes.NewReader(body)
}
