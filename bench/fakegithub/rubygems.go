package fakegithub

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// serveRubygems answers GitHub's RubyGems registry under /OWNER/: the compact
// index (/versions, append-only, with Range, MD5 ETags and Repr-Digest as
// rubygems.org serves it; /info/NAME with created_at; /names), the full index
// (specs files, quick/Marshal.4.8 specifications), the .gem files, the dependency
// API, push (POST /api/v1/gems, a re-push refused with 409) and yank (DELETE
// /api/v1/gems/yank with a form). gem push and gem yank send the key bare in
// Authorization (or "Bearer KEY", as GitHub's documentation writes it); reads
// send Basic.
func (s *Server) serveRubygems(w http.ResponseWriter, r *http.Request) {
	owner, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if owner == "" || strings.Contains(rest, "..") {
		gemError(w, http.StatusNotFound, "Not Found")
		return
	}
	tok, present := gemKey(r)
	switch {
	case rest == "api/v1/gems" && r.Method == http.MethodPost:
		s.gemPush(w, r, owner, tok, present)
	case rest == "api/v1/gems/yank" && r.Method == http.MethodDelete:
		s.gemYank(w, r, owner, tok, present)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		gemError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	default:
		s.gemRead(w, r, owner, rest, tok, present)
	}
}

// gemKey reads the token where RubyGems clients put it: the bare key or "Bearer
// KEY" (gem push, gem yank), or Basic credentials (bundler, gem install).
func gemKey(r *http.Request) (string, bool) {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if auth != "" && !strings.Contains(auth, " ") {
		return auth, true
	}
	return patOf(r)
}

func (s *Server) gemRead(w http.ResponseWriter, r *http.Request, owner, rest, tok string, present bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.gemOwnerLocked(owner)
	name := ""
	switch {
	case strings.HasPrefix(rest, "info/"):
		name = strings.TrimPrefix(rest, "info/")
	case strings.HasPrefix(rest, "gems/"), strings.HasPrefix(rest, "quick/Marshal.4.8/"):
		if g := o.byFile(rest); g != nil {
			name = g.name
		}
	}
	if status := s.decideLocked(tok, present, Rubygems, gemPackage(owner, name), owner, read); status != 0 {
		gemError(w, status, "")
		return
	}
	var body []byte
	ctype := "application/octet-stream"
	switch {
	case rest == "":
		body, ctype = []byte("GitHub Packages: RubyGems registry of "+owner+"\n"), "text/plain; charset=utf-8"
	case rest == "versions":
		body, ctype = o.versions, "text/plain; charset=utf-8"
	case rest == "names":
		body, ctype = o.names(), "text/plain; charset=utf-8"
	case name != "" && rest == "info/"+name && len(o.gems[name]) > 0:
		body, ctype = o.info(name), "text/plain; charset=utf-8"
	case rest == "specs.4.8.gz", rest == "latest_specs.4.8.gz", rest == "prerelease_specs.4.8.gz":
		body = o.specs(rest)
	case strings.HasPrefix(rest, "gems/"):
		if g := o.byFile(rest); g != nil && !g.yanked {
			body = g.file
		}
	case strings.HasPrefix(rest, "quick/Marshal.4.8/"):
		if g := o.byFile(rest); g != nil && !g.yanked {
			body = g.quick
		}
	case rest == "api/v1/dependencies", rest == "api/v1/dependencies.json":
		body = s.gemDependencies(w, r, o, rest)
		if body == nil {
			return
		}
	}
	if body == nil {
		gemError(w, http.StatusNotFound, "Not Found")
		return
	}
	serveIndexFile(w, r, body, ctype)
}

// serveIndexFile answers as rubygems.org's compact index does: Range, an ETag that
// is the quoted MD5 of the file, If-None-Match, and Repr-Digest.
func serveIndexFile(w http.ResponseWriter, r *http.Request, body []byte, ctype string) {
	m := md5.Sum(body)
	d := sha256.Sum256(body)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", `"`+hex.EncodeToString(m[:])+`"`)
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(d[:])+":")
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(body)))
}

func (s *Server) gemDependencies(w http.ResponseWriter, r *http.Request, o *gemOwner, rest string) []byte {
	list := r.URL.Query().Get("gems")
	if list == "" {
		return []byte{} // the API exists: Bundler's probe
	}
	names := strings.Split(list, ",")
	if rest == "api/v1/dependencies.json" {
		gemError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	return o.dependencies(names)
}

// byFile finds the gem a gems/FULL.gem or quick/Marshal.4.8/FULL.gemspec.rz path names.
func (o *gemOwner) byFile(rest string) *rubyGem {
	file := rest[strings.LastIndexByte(rest, '/')+1:]
	file = strings.TrimSuffix(strings.TrimSuffix(file, ".gem"), ".gemspec.rz")
	for _, gs := range o.gems {
		for _, g := range gs {
			if g.fullName() == file {
				return g
			}
		}
	}
	return nil
}

func (s *Server) gemOwnerLocked(owner string) *gemOwner {
	o := s.rubygems[owner]
	if o == nil {
		o = newGemOwner(time.Now())
		s.rubygems[owner] = o
	}
	return o
}

// gemPackage names a gem among the fake's packages; "" for an owner's indexes.
func gemPackage(owner, name string) string {
	if name == "" {
		return ""
	}
	return owner + "/" + name
}

func (s *Server) gemPush(w http.ResponseWriter, r *http.Request, owner, tok string, present bool) {
	file, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
	if err != nil {
		gemError(w, http.StatusBadRequest, "reading the gem")
		return
	}
	g, err := parseGem(file)
	if err != nil {
		gemError(w, http.StatusUnprocessableEntity, "RubyGems.org cannot process this gem: "+err.Error())
		return
	}
	quick := s.quickSpec(file)
	s.mu.Lock()
	defer s.mu.Unlock()
	if status := s.decideLocked(tok, present, Rubygems, gemPackage(owner, g.name), owner, write); status != 0 {
		gemError(w, status, "")
		return
	}
	o := s.gemOwnerLocked(owner)
	if o.find(g.name, g.release()) != nil {
		gemError(w, http.StatusConflict, "Repushing of gem versions is not allowed.\nPlease bump the version number and push a new different release.")
		return
	}
	s.addGemLocked(owner, o, g, quick)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "Successfully registered gem: "+g.name+" ("+g.version+")")
}

func (s *Server) addGemLocked(owner string, o *gemOwner, g *rubyGem, quick []byte) {
	g.created, g.quick = time.Now(), quick
	o.gems[g.name] = append(o.gems[g.name], g)
	o.appendVersions(g, false)
	s.packageLocked(Rubygems, gemPackage(owner, g.name), owner, true)
}

func (s *Server) gemYank(w http.ResponseWriter, r *http.Request, owner, tok string, present bool) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("gem_name") == "" || form.Get("version") == "" {
		gemError(w, http.StatusBadRequest, "gem_name and version are required")
		return
	}
	name, release := form.Get("gem_name"), form.Get("version")
	if p := form.Get("platform"); p != "" && p != "ruby" {
		release += "-" + p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if status := s.decideLocked(tok, present, Rubygems, gemPackage(owner, name), owner, remove); status != 0 {
		gemError(w, status, "")
		return
	}
	o := s.gemOwnerLocked(owner)
	g := o.find(name, release)
	if g == nil || g.yanked {
		gemError(w, http.StatusNotFound, "The version "+release+" does not exist.")
		return
	}
	g.yanked = true
	o.appendVersions(g, true)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "Successfully deleted gem: "+name+" ("+release+")")
}

// quickSpec makes a gem's quick/Marshal.4.8 specification with Options.QuickSpec.
func (s *Server) quickSpec(file []byte) []byte {
	if s.quick == nil {
		return nil
	}
	b, err := s.quick(file)
	if err != nil {
		return nil
	}
	return b
}

// SeedGem pushes a .gem to owner's registry as the owner would (private unless
// made public); it returns the error a push would answer.
func (s *Server) SeedGem(owner string, file []byte) error {
	g, err := parseGem(file)
	if err != nil {
		return err
	}
	quick := s.quickSpec(file)
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.gemOwnerLocked(owner)
	if o.find(g.name, g.release()) == nil {
		s.addGemLocked(owner, o, g, quick)
	}
	return nil
}

// GemVersionsFile is owner's /versions as it is now.
func (s *Server) GemVersionsFile(owner string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.gemOwnerLocked(owner).versions...)
}

// gemError answers as rubygems.org does, in plain text; a 401 carries the
// registry's Basic challenge.
func gemError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		switch status {
		case http.StatusUnauthorized:
			msg = "HTTP Basic: Access denied."
		case http.StatusForbidden:
			msg = "permission_denied: The token provided does not match expected scopes."
		default:
			msg = http.StatusText(status)
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub Package Registry"`)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg)
}

// GemVersions lists the releases (VERSION[-PLATFORM]) of owner's gem not yanked.
func (s *Server) GemVersions(owner, name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, g := range s.gemOwnerLocked(owner).live(name) {
		out = append(out, g.release())
	}
	return out
}
