package fakegithub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// NuGet is the NuGet registry's host name, as Requests and Writes take it.
const NuGet = "nuget"

// nugetVersion is one version of a NuGet package.
type nugetVersion struct {
	id, version string // as the .nuspec spells them; version normalized
	nupkg       []byte
	nuspec      []byte
	desc        string
	deps        []NuGetDep
	listed      bool
	published   time.Time
}

// nugetState holds the NuGet registry: OWNER -> lower-case id -> normalized,
// lower-case version -> package.
type nugetState map[string]map[string]map[string]*nugetVersion

// nugetPageSize is how many versions a registration page holds; more than this
// make the index paged, its pages fetched by URL (nuget.org pages at 64 too).
const nugetPageSize = 64

// SeedNuGet publishes a package as OWNER would; a new package is private.
func (s *Server) SeedNuGet(owner string, nupkg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.nugetAddLocked(owner, nupkg)
	return err
}

// nugetAddLocked stores a package; a version already there is refused (409).
func (s *Server) nugetAddLocked(owner string, nupkg []byte) (int, error) {
	raw, doc, err := readPackage(nupkg)
	if err != nil {
		return http.StatusBadRequest, err
	}
	ver := normVersion(doc.Version)
	if ver == "" {
		return http.StatusBadRequest, fmt.Errorf("version %q is not valid", doc.Version)
	}
	if s.nuget == nil {
		s.nuget = nugetState{}
	}
	if s.nuget[owner] == nil {
		s.nuget[owner] = map[string]map[string]*nugetVersion{}
	}
	lid := strings.ToLower(doc.ID)
	if s.nuget[owner][lid] == nil {
		s.nuget[owner][lid] = map[string]*nugetVersion{}
	}
	if _, dup := s.nuget[owner][lid][strings.ToLower(ver)]; dup {
		return http.StatusConflict, fmt.Errorf("Package %s %s already exists", doc.ID, ver)
	}
	s.packageLocked(NuGet, owner+"/"+lid, owner, true)
	s.nuget[owner][lid][strings.ToLower(ver)] = &nugetVersion{
		id: doc.ID, version: ver, nupkg: append([]byte(nil), nupkg...), nuspec: raw,
		desc: doc.Desc, deps: doc.deps(), listed: true, published: time.Now().UTC(),
	}
	return http.StatusCreated, nil
}

// nugetPAT reads the token as GitHub's NuGet registry takes it: the API key header
// of pushes, or the password of Basic credentials.
func nugetPAT(r *http.Request) (string, bool) {
	if k := r.Header.Get("X-NuGet-ApiKey"); k != "" {
		return k, true
	}
	return patOf(r)
}

// serveNuGet answers GitHub's NuGet feeds, one per owner:
//
//	GET  /OWNER/index.json                          the service index
//	GET  /OWNER/download/ID/index.json              versions (flat container)
//	GET  /OWNER/download/ID/VER/ID.VER.nupkg|ID.nuspec
//	GET  /OWNER/ID/index.json, /OWNER/ID/page/LO/HI.json, /OWNER/ID/VER.json
//	GET  /OWNER/gz-semver2/...                     the same, gzip-encoded (RegistrationsBaseUrl/3.6.0)
//	GET  /OWNER/query, /OWNER/autocomplete          search
//	PUT  /OWNER[/]                                  push (multipart), 409 on a version it has
//	DELETE /OWNER/ID/VER, POST /OWNER/ID/VER        delete, relist
//
// Every request needs a token, public packages included: without one the answer is
// 401 with a Basic challenge.
func (s *Server) serveNuGet(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	owner, tail := segs[0], segs[1:]
	if owner == "" {
		nugetError(w, http.StatusNotFound, "Not Found")
		return
	}
	tok, present := nugetPAT(r)
	gz := len(tail) > 0 && tail[0] == "gz-semver2"
	if gz {
		tail = tail[1:]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	guard := func(id string, act action) bool {
		name := owner + "/" + strings.ToLower(id)
		if id == "" {
			name = ""
		}
		if status := s.decideLocked(tok, present, NuGet, name, owner, act); status != 0 {
			nugetError(w, status, "")
			return false
		}
		return true
	}
	isRead := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case r.Method == http.MethodPut && len(tail) == 0:
		// Push rights are the package's (a GITHUB_TOKEN's come from the package's
		// access list), checked once the body names it.
		if !present {
			nugetError(w, http.StatusUnauthorized, "")
			return
		}
		s.nugetPush(w, r, owner, tok)
	case (r.Method == http.MethodDelete || r.Method == http.MethodPost) && len(tail) == 2:
		if guard(tail[0], remove) {
			s.nugetChange(w, r, owner, tail[0], tail[1])
		}
	case !isRead:
		nugetError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	case len(tail) == 1 && tail[0] == "index.json":
		if guard("", read) {
			writeJSON(w, http.StatusOK, s.nugetServiceIndex(owner))
		}
	case len(tail) == 1 && (tail[0] == "query" || tail[0] == "autocomplete"):
		if guard("", read) {
			s.nugetSearch(w, r, owner, tail[0] == "autocomplete")
		}
	case len(tail) >= 2 && tail[0] == "download":
		if guard(tail[1], read) {
			s.nugetFlat(w, owner, tail[1:])
		}
	case len(tail) >= 2:
		if guard(tail[0], read) {
			s.nugetRegistration(w, owner, tail, gz)
		}
	default:
		nugetError(w, http.StatusNotFound, "Not Found")
	}
}

func (s *Server) nugetServiceIndex(owner string) map[string]any {
	base := s.hosts[NuGet].url() + "/" + owner
	res := []map[string]string{
		{"@id": base + "/download", "@type": "PackageBaseAddress/3.0.0"},
		{"@id": base + "/query", "@type": "SearchQueryService"},
		{"@id": base + "/autocomplete", "@type": "SearchAutocompleteService"},
		{"@id": base, "@type": "RegistrationsBaseUrl"},
		{"@id": base + "/gz-semver2", "@type": "RegistrationsBaseUrl/3.6.0"},
		{"@id": base, "@type": "PackagePublish/2.0.0"},
	}
	return map[string]any{"version": "3.0.0-beta.1", "resources": res}
}

func (s *Server) nugetFlat(w http.ResponseWriter, owner string, tail []string) {
	pkg := s.nuget[owner][strings.ToLower(tail[0])]
	switch {
	case pkg == nil:
		nugetError(w, http.StatusNotFound, "Not Found")
	case len(tail) == 2 && tail[1] == "index.json":
		var vs []string
		for v := range pkg {
			vs = append(vs, v)
		}
		sortVersions(vs)
		writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	case len(tail) == 3:
		v := pkg[strings.ToLower(tail[1])]
		lid := strings.ToLower(tail[0])
		switch {
		case v == nil:
			nugetError(w, http.StatusNotFound, "Not Found")
		case strings.EqualFold(tail[2], lid+"."+strings.ToLower(v.version)+".nupkg"):
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(v.nupkg)
		case strings.EqualFold(tail[2], lid+".nuspec"):
			w.Header().Set("Content-Type", "application/xml")
			w.Write(v.nuspec)
		default:
			nugetError(w, http.StatusNotFound, "Not Found")
		}
	default:
		nugetError(w, http.StatusNotFound, "Not Found")
	}
}

// nugetPush takes a multipart body whose file part is the package.
func (s *Server) nugetPush(w http.ResponseWriter, r *http.Request, owner, tok string) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		nugetError(w, http.StatusBadRequest, "push body must be multipart/form-data")
		return
	}
	body, _ := io.ReadAll(r.Body)
	part, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
	if err != nil {
		nugetError(w, http.StatusBadRequest, "push body has no package")
		return
	}
	nupkg, err := io.ReadAll(part)
	if err != nil {
		nugetError(w, http.StatusBadRequest, "push body is truncated")
		return
	}
	name := "" // an unreadable package is judged at the owner's level
	if _, doc, err := readPackage(nupkg); err == nil {
		name = owner + "/" + strings.ToLower(doc.ID)
	}
	if status := s.decideLocked(tok, true, NuGet, name, owner, write); status != 0 {
		nugetError(w, status, "")
		return
	}
	status, err := s.nugetAddLocked(owner, nupkg)
	if err != nil {
		nugetError(w, status, err.Error())
		return
	}
	w.WriteHeader(status)
}

// nugetChange deletes (DELETE) or relists (POST) a version.
func (s *Server) nugetChange(w http.ResponseWriter, r *http.Request, owner, id, ver string) {
	pkg := s.nuget[owner][strings.ToLower(id)]
	key := strings.ToLower(normVersion(ver))
	if pkg == nil || pkg[key] == nil {
		nugetError(w, http.StatusNotFound, "Not Found")
		return
	}
	if r.Method == http.MethodPost {
		pkg[key].listed = true
		w.WriteHeader(http.StatusOK)
		return
	}
	delete(pkg, key)
	if len(pkg) == 0 {
		delete(s.nuget[owner], strings.ToLower(id))
	}
	w.WriteHeader(http.StatusNoContent)
}

func nugetError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		msg = http.StatusText(status)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub Package Registry"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// NuGetVersions lists the versions of a package the registry holds (normalized,
// lowercased), for tests that check whether a push or delete reached it.
func (s *Server) NuGetVersions(owner, id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v := range s.nuget[owner][strings.ToLower(id)] {
		out = append(out, v)
	}
	return out
}
