package maven

import (
	"strings"

	"hoard/formats"
)

// ExpireKeys implements formats.ChangeExpirer: maven-metadata.xml of the artifact
// and, for a SNAPSHOT, of the version, with their checksum files, under any
// repository of the owner (GitHub serves an owner's packages under every one of its
// repositories' paths). GitHub names a Maven package group.artifact, and an artifact
// id may hold dots too, so every way of splitting the name is expired.
func (Format) ExpireKeys(c formats.PackageChange) []formats.KeyPattern {
	if !validSegment(c.Owner) || c.Name == "" || strings.ContainsAny(c.Name, "/\\") || strings.Contains(c.Name, "..") {
		return nil
	}
	snapshot := strings.HasSuffix(c.Version, "-SNAPSHOT") && validSegment(c.Version)
	var out []formats.KeyPattern
	for i := strings.IndexByte(c.Name, '.'); i > 0 && i < len(c.Name)-1; {
		dir := strings.ReplaceAll(c.Name[:i], ".", "/") + "/" + c.Name[i+1:]
		dirs := []string{dir}
		if snapshot {
			dirs = append(dirs, dir+"/"+c.Version)
		}
		for _, d := range dirs {
			for _, s := range append([]string{""}, sidecarSuffixes...) {
				for _, owner := range owners(c.Owner) {
					out = append(out, formats.KeyPattern{Prefix: owner + "/", Suffix: "/" + d + "/" + metadataFile + s})
				}
			}
		}
		j := strings.IndexByte(c.Name[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return out
}

// owners are the spellings of an owner a client's URL may use: GitHub's own and
// lower case (GitHub matches owners without regard to case; cache keys do not).
func owners(owner string) []string {
	if lower := strings.ToLower(owner); lower != owner {
		return []string{owner, lower}
	}
	return []string{owner}
}

func validSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\?#%")
}
