package fakegithub

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// publishDoc is what npm PUTs to publish, deprecate or unpublish versions.
type publishDoc struct {
	Name        string                    `json:"name"`
	Versions    map[string]map[string]any `json:"versions"`
	DistTags    map[string]string         `json:"dist-tags"`
	Attachments map[string]struct {
		Data   string `json:"data"`
		Length int    `json:"length"`
	} `json:"_attachments"`
}

func readDoc(w http.ResponseWriter, r *http.Request, name string) (publishDoc, bool) {
	var doc publishDoc
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
	if err != nil || json.Unmarshal(body, &doc) != nil {
		npmError(w, http.StatusBadRequest, "invalid JSON body")
		return doc, false
	}
	if doc.Name != name {
		npmError(w, http.StatusBadRequest, "name does not match the URL")
		return doc, false
	}
	return doc, true
}

// npmPublish takes a publish (a body with _attachments: new versions, never over an
// existing one) or a metadata change of existing versions (npm deprecate).
func (s *Server) npmPublish(w http.ResponseWriter, r *http.Request, name, owner string) {
	doc, ok := readDoc(w, r, name)
	if !ok {
		return
	}
	p := s.npm[name]
	if len(doc.Attachments) == 0 {
		if p == nil {
			npmError(w, http.StatusNotFound, "Not Found")
			return
		}
		for v, vd := range doc.Versions {
			if old, ok := p.versions[v]; ok {
				vd["dist"] = old["dist"]
				p.versions[v] = vd
			}
		}
		if doc.DistTags != nil {
			p.distTags = doc.DistTags
		}
		p.rev++
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	}
	tarballs := map[string][]byte{}
	for v := range doc.Versions {
		if p != nil && p.versions[v] != nil {
			npmError(w, http.StatusConflict, "Cannot publish over existing version")
			return
		}
		att, ok := doc.Attachments[name+"-"+v+".tgz"]
		if !ok {
			att, ok = doc.Attachments[npmFile(name, v)]
		}
		data, err := base64.StdEncoding.DecodeString(att.Data)
		if !ok || err != nil || len(data) != att.Length {
			npmError(w, http.StatusBadRequest, "missing or invalid attachment for "+v)
			return
		}
		tarballs[v] = data
	}
	if p == nil {
		p = s.newNpmLocked(name, owner)
	}
	for v, vd := range doc.Versions {
		s.addNpmVersionLocked(p, name, v, vd, tarballs[v])
	}
	for tag, v := range doc.DistTags {
		p.distTags[tag] = v
	}
	p.rev++
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// npmUnpublishVersions takes back the packument with versions left out: those are
// unpublished.
func (s *Server) npmUnpublishVersions(w http.ResponseWriter, r *http.Request, name, _ string) {
	p := s.npm[name]
	if p == nil {
		npmError(w, http.StatusNotFound, "Not Found")
		return
	}
	doc, ok := readDoc(w, r, name)
	if !ok {
		return
	}
	for v := range p.versions {
		if _, keep := doc.Versions[v]; !keep {
			delete(p.versions, v)
			delete(p.tarballs, v)
		}
	}
	if doc.DistTags != nil {
		p.distTags = doc.DistTags
	}
	p.rev++
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) newNpmLocked(name, owner string) *npmPackage {
	p := &npmPackage{distTags: map[string]string{}, versions: map[string]map[string]any{}, tarballs: map[string][]byte{}}
	s.npm[name] = p
	s.packageLocked(Npm, name, owner, true)
	return p
}

// addNpmVersionLocked stores a version; its dist.tarball points at this registry's
// /download/ path, as GitHub's does.
func (s *Server) addNpmVersionLocked(p *npmPackage, name, version string, doc map[string]any, tgz []byte) {
	dist, _ := doc["dist"].(map[string]any)
	if dist == nil {
		dist = map[string]any{}
	}
	dist["tarball"] = s.URL(Npm) + "/download/" + name + "/" + version + "/" + npmDigest(tgz)
	if _, ok := dist["integrity"]; !ok {
		sum := sha512.Sum512(tgz)
		dist["integrity"] = "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	}
	if _, ok := dist["shasum"]; !ok {
		sum := sha1.Sum(tgz)
		dist["shasum"] = hex.EncodeToString(sum[:])
	}
	doc["dist"] = dist
	p.versions[version] = doc
	p.tarballs[version] = tgz
}

// npmDigest names a tarball in its download URL.
func npmDigest(tgz []byte) string {
	sum := sha256.Sum256(tgz)
	return hex.EncodeToString(sum[:])
}

// SeedNpm publishes version of the scoped package name (private unless made public)
// as its owner would; manifest is the version's package.json.
func (s *Server) SeedNpm(name, version string, tgz []byte, manifest map[string]any) {
	owner, _, _ := strings.Cut(strings.TrimPrefix(name, "@"), "/")
	doc := map[string]any{}
	for k, v := range manifest {
		doc[k] = v
	}
	doc["name"], doc["version"] = name, version
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.npm[name]
	if p == nil {
		p = s.newNpmLocked(name, owner)
	}
	s.addNpmVersionLocked(p, name, version, doc, tgz)
	p.distTags["latest"] = version
	p.rev++
}

// NpmTarballPath is where a version's tarball is served, relative to the registry.
func (s *Server) NpmTarballPath(name, version string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.npm[name]; p != nil && p.tarballs[version] != nil {
		return "/download/" + name + "/" + version + "/" + npmDigest(p.tarballs[version])
	}
	return ""
}

// NpmVersions lists the versions a package has now.
func (s *Server) NpmVersions(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if p := s.npm[name]; p != nil {
		for v := range p.versions {
			out = append(out, v)
		}
	}
	return out
}

// NpmRev is the package's current _rev ("" if it does not exist).
func (s *Server) NpmRev(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.npm[name]; p != nil {
		return npmRev(name, p)
	}
	return ""
}
