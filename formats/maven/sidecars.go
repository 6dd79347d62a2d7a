package maven

import (
	"strings"

	"hoard/formats"
)

// checksumExts are the sidecar files Maven repositories publish, in the order tried:
// .sha1 first because every Maven deploy writes it and clients ask for it next anyway.
var checksumExts = []struct{ ext, algo string }{
	{".sha1", "sha1"}, {".sha256", "sha256"}, {".sha512", "sha512"},
}

// sidecarSuffixes are files that describe another file rather than being artifacts.
var sidecarSuffixes = []string{".sha1", ".sha256", ".sha512", ".md5", ".asc"}

// Sidecars implements formats.SidecarLister: the checksum files published next to
// an artifact, listed only when a fill needs them.
func (Format) Sidecars(rt formats.Route) []formats.Sidecar {
	if rt.Kind != formats.Artifact && rt.Kind != formats.Metadata || isSidecar(rt.Key) {
		return nil
	}
	out := make([]formats.Sidecar, 0, len(checksumExts))
	for _, c := range checksumExts {
		out = append(out, formats.Sidecar{Algo: c.algo, Route: readRoute("/" + rt.Key + c.ext)})
	}
	return out
}

func isSidecar(p string) bool {
	for _, s := range sidecarSuffixes {
		if strings.HasSuffix(p, s) {
			return true
		}
	}
	return false
}
