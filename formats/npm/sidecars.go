package npm

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"hoard/formats"
)

// sriAlgos are the Subresource Integrity algorithms Hoard can verify, strongest
// first. (npm writes sha512; some old entries carry only sha1.)
var sriAlgos = []struct {
	name string
	size int
	hash func() hash.Hash
}{
	{"sha512", sha512.Size, sha512.New},
	{"sha256", sha256.Size, sha256.New},
	{"sha1", sha1.Size, sha1.New},
}

// distEntry is the part of a version that declares its tarball.
type distEntry struct {
	Integrity string `json:"integrity"`
	Shasum    string `json:"shasum"`
	Tarball   string `json:"tarball"`
}

// checksum is the strongest digest the entry declares, as lower-case hex.
func (d distEntry) checksum() (formats.Checksum, bool, error) {
	sums, err := parseIntegrity(d.Integrity)
	if err != nil {
		return formats.Checksum{}, false, err
	}
	for _, a := range sriAlgos {
		if h, ok := sums[a.name]; ok {
			return formats.Checksum{Algo: a.name, Hex: h}, true, nil
		}
	}
	if d.Shasum != "" {
		h, err := formats.ParseChecksum("sha1", []byte(d.Shasum))
		if err != nil {
			return formats.Checksum{}, false, fmt.Errorf("dist.shasum: %w", err)
		}
		return formats.Checksum{Algo: "sha1", Hex: h}, true, nil
	}
	return formats.Checksum{}, false, nil
}

// parseIntegrity reads an SRI string ("sha512-BASE64 sha1-BASE64?opts") into hex
// digests by algorithm. Algorithms Hoard cannot verify are skipped; a digest of a
// known algorithm that is not valid base64 of the right length is an error.
func parseIntegrity(sri string) (map[string]string, error) {
	out := map[string]string{}
	for _, field := range strings.Fields(sri) {
		algo, b64, ok := strings.Cut(field, "-")
		if !ok {
			return nil, fmt.Errorf("dist.integrity: malformed entry %q", truncate(field, 40))
		}
		b64, _, _ = strings.Cut(b64, "?")
		for _, a := range sriAlgos {
			if a.name != algo {
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(b64)
			if err != nil || len(raw) != a.size {
				return nil, fmt.Errorf("dist.integrity: malformed %s digest", algo)
			}
			out[algo] = hex.EncodeToString(raw)
		}
	}
	return out, nil
}

// verifyData checks bytes against every digest an integrity string and a shasum
// declare; it is how a publish body's attachment is checked against its version.
func verifyData(data []byte, d distEntry) error {
	sums, err := parseIntegrity(d.Integrity)
	if err != nil {
		return err
	}
	if d.Shasum != "" {
		h, err := formats.ParseChecksum("sha1", []byte(d.Shasum))
		if err != nil {
			return fmt.Errorf("dist.shasum: %w", err)
		}
		if prev, ok := sums["sha1"]; ok && prev != h {
			return fmt.Errorf("dist.shasum and dist.integrity disagree")
		}
		sums["sha1"] = h
	}
	for _, a := range sriAlgos {
		want, ok := sums[a.name]
		if !ok {
			continue
		}
		h := a.hash()
		h.Write(data)
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return fmt.Errorf("attachment does not match its %s digest", a.name)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Sidecars implements formats.SidecarLister: a tarball's checksum is its version's
// dist.integrity in the packument. The abbreviated packument is what installs fetch
// (so it is usually cached already); the full one is asked only if the abbreviated
// lacks the version.
func (Format) Sidecars(rt formats.Route) []formats.Sidecar {
	tail, ok := strings.CutPrefix(rt.Key, tarballKeyPrefix+rt.Package+"/")
	if !ok || rt.Kind != formats.Artifact {
		return nil
	}
	rel := "/" + rt.Package + "/-" + escapeSegs(strings.Split(tail, "/")) // what Rewrite put after the mount's URL
	return []formats.Sidecar{
		{Algo: "sha512", Route: packument(rt.Package, true), Entry: rel},
		{Algo: "sha512", Route: packument(rt.Package, false), Entry: rel},
	}
}
