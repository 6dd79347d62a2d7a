package rubygems

import (
	"encoding/base64"
	"encoding/hex"
	"strings"

	"hoard/formats"
)

// Sidecars implements formats.SidecarLister: a .gem's checksum is the checksum:
// field of its version's line in /info/NAME. A file name may read as more than one
// (name, version) pair; each reading's /info is tried, and the first that lists
// the version decides.
func (Format) Sidecars(rt formats.Route) []formats.Sidecar {
	if rt.Kind != formats.Artifact || !strings.HasSuffix(rt.Key, ".gem") {
		return nil
	}
	dir, file := formats.CutLast(rt.Key) // PREFIX/gems, NAME-VERSION[-PLATFORM].gem
	prefix := strings.TrimSuffix(dir, "gems")
	var out []formats.Sidecar
	for _, fn := range splitFullName(strings.TrimSuffix(file, ".gem")) {
		info := infoRoute(splitPrefix(prefix), fn.name)
		out = append(out, formats.Sidecar{Algo: "sha256", Route: info, Entry: fn.release})
	}
	return out
}

// splitPrefix turns "OWNER/" back into its segments.
func splitPrefix(prefix string) []string {
	if prefix == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(prefix, "/"), "/")
}

// Sums implements formats.SumsIndexer: the table of an /info document, from each
// line's "VERSION[-PLATFORM]" to the SHA-256 of that .gem. Other documents have
// none. Lines without a usable checksum get no entry (their gem is then checked
// against the next reading of its name, or not at all, as when /info lacks it).
func (Format) Sums(rt formats.Route, doc []byte, _ string) (map[string]formats.Checksum, error) {
	if rt.TTLClass != "info" {
		return nil, nil
	}
	out := map[string]formats.Checksum{}
	for _, l := range parseInfo(doc) {
		if l.sha256 != "" {
			out[l.release] = formats.Checksum{Algo: "sha256", Hex: l.sha256}
		}
	}
	return out, nil
}

// infoLine is what Hoard reads of one /info line:
//
//	VERSION[-PLATFORM] DEP:REQ&REQ,DEP:REQ|checksum:HEX,ruby:REQ,rubygems:REQ,created_at:TIME
type infoLine struct {
	release string // VERSION or VERSION-PLATFORM
	sha256  string // lower-case hex, or "" when the line declares none Hoard can read
}

// parseInfo reads the lines of an /info document after its "---" header; lines
// that are not version lines are skipped, as clients skip them.
func parseInfo(doc []byte) []infoLine {
	var out []infoLine
	body := string(doc)
	if rest, ok := strings.CutPrefix(body, "---\n"); ok {
		body = rest
	}
	for line := range strings.SplitSeq(body, "\n") {
		release, fields, ok := strings.Cut(line, " ")
		if !ok || !validRelease(release) {
			continue
		}
		_, reqs, _ := strings.Cut(fields, "|")
		out = append(out, infoLine{release: release, sha256: checksumField(reqs)})
	}
	return out
}

// checksumField finds checksum: among an /info line's requirements. Servers write
// it as hex; some write the base64 of the same 32 bytes, which Bundler accepts too.
func checksumField(reqs string) string {
	for field := range strings.SplitSeq(reqs, ",") {
		v, ok := strings.CutPrefix(field, "checksum:")
		if !ok {
			continue
		}
		if len(v) == 64 {
			if raw, err := hex.DecodeString(v); err == nil {
				return hex.EncodeToString(raw)
			}
		}
		if len(v) == 44 {
			if raw, err := base64.StdEncoding.DecodeString(v); err == nil && len(raw) == 32 {
				return hex.EncodeToString(raw)
			}
		}
		return ""
	}
	return ""
}
