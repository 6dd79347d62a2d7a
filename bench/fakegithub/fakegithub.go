// Package fakegithub is a stand-in for GitHub's API and its package registries, for
// tests that need an upstream which decides who may do what the way GitHub does:
//
//   - the API answers GET /user with 200 and the token's scopes in X-OAuth-Scopes for
//     a personal access token (classic) it knows, and 401 "Bad credentials" otherwise;
//   - every registry wants a token, public packages included (the container registry
//     alone lets anonymous clients pull public images); without one it answers 401
//     with its challenge;
//   - reads need read:packages (write:packages implies it), publishes write:packages,
//     deletes delete:packages, each checked by the registry itself (403 without);
//   - a private package is visible only to members of its owner and to users it was
//     shared with; anyone else gets a 404 that does not tell it exists;
//   - the Maven registry serves /OWNER/REPO/<maven layout>, the npm registry scoped
//     packuments whose dist.tarball URLs point at its own /download/ path, and the
//     container registry the OCI distribution API behind a Docker token exchange whose
//     realm is on its own host, with blobs redirected to a separate storage host under
//     signed URLs;
//   - the NuGet registry serves one v3 feed per owner laid out as GitHub's
//     (nuget.go): every request challenged with Basic until it carries a token,
//     pushes by API key, 409 on a re-push, registrations paged past 64 versions, and
//     a RegistrationsBaseUrl/3.6.0 whose documents are gzip-encoded.
//
// Each registry (and the API, and blob storage) listens on its own loopback address,
// as GitHub's are separate hosts. Everything is kept in memory.
package fakegithub

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// Host names, as Requests and Writes take them.
const (
	API      = "api"
	Maven    = "maven"
	Npm      = "npm"
	Ghcr     = "ghcr"
	Rubygems = "rubygems"
	Storage  = "storage"
)

// Scopes of a personal access token (classic) that the registries check.
const (
	ScopeRead   = "read:packages"
	ScopeWrite  = "write:packages"
	ScopeDelete = "delete:packages"
)

// Server is the fake. Start it with New; it stops when Close is called.
type Server struct {
	hosts map[string]*host

	mu          sync.Mutex
	tokens      map[string]patInfo         // personal access token -> owner and scopes
	members     map[string]map[string]bool // owner (user or organisation) -> logins with write and admin access
	packages    map[string]*pkg            // format + ":" + name
	maven       map[string][]byte          // OWNER/<maven path> -> content
	npm         map[string]*npmPackage     // @scope/name
	oci         ociState                   // repositories, blobs, uploads, registry tokens
	signed      map[string]string          // blob storage signature -> digest
	issued      []string                   // every registry token and signature handed out
	apiDown     bool                       // /user answers 503
	storageAuth int64                      // blob storage requests with an Authorization header
	counts      map[string]*counts         // by host
	reqLog      []string                   // "HOST METHOD PATH", capped
	nuget       nugetState                 // OWNER -> id -> version (nuget.go)
	tree        http.Handler               // public Maven content, see Options
	treeRepo    string                     // OWNER/REPO the tree is served under
	rubygems    map[string]*gemOwner       // by owner
	quick       func(gem []byte) ([]byte, error)
}

type patInfo struct {
	login  string
	scopes string // as X-OAuth-Scopes lists them; only for classic and OAuth tokens
	// subject is what a token without visible scopes acts as (the repository of an
	// installation token, the user of a fine-grained one): packages grant access to
	// subjects. Empty for classic and OAuth tokens.
	subject string
	perm    string // "read" or "write": the most the token may do (workflow permissions)
}

// pkg is one package: who owns it and who may see it.
type pkg struct {
	owner   string
	public  bool
	readers map[string]bool // logins it was shared with (read access)
	// access is the package's "Manage Actions access" list: subject -> read, write
	// or admin. The repository that published a package gets admin.
	access map[string]string
}

type counts struct{ all, writes int64 }

// Options configures a Server.
type Options struct {
	// MavenTree, when set, serves public Maven packages (build plugins and the like)
	// under /TreeRepo/ for reads of paths no published package holds; it sees the
	// path after OWNER/REPO.
	MavenTree http.Handler
	TreeRepo  string // OWNER/REPO, "acme/repo" by default
	// QuickSpec, when set, makes a pushed gem's quick/Marshal.4.8/FULL.gemspec.rz
	// (Marshal of a Gem::Specification, deflated); without it those are 404.
	QuickSpec func(gem []byte) ([]byte, error)
}

// New starts a fake on loopback addresses.
func New(o Options) (*Server, error) {
	s := &Server{
		hosts: map[string]*host{}, tokens: map[string]patInfo{}, members: map[string]map[string]bool{},
		packages: map[string]*pkg{}, maven: map[string][]byte{}, npm: map[string]*npmPackage{},
		oci: newOCIState(), signed: map[string]string{}, counts: map[string]*counts{},
		tree: o.MavenTree, treeRepo: o.TreeRepo, rubygems: map[string]*gemOwner{}, quick: o.QuickSpec,
	}
	if s.treeRepo == "" {
		s.treeRepo = "acme/repo"
	}
	handlers := map[string]http.HandlerFunc{API: s.serveAPI, Maven: s.serveMaven, Npm: s.serveNpm, Ghcr: s.serveOCI, Storage: s.serveStorage, Rubygems: s.serveRubygems}
	handlers[NuGet] = s.serveNuGet
	for name, h := range handlers {
		s.counts[name] = &counts{}
		s.hosts[name] = &host{addr: "127.0.0.1:0", h: s.counting(name, h)}
		if err := s.hosts[name].start(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close stops every host.
func (s *Server) Close() {
	for _, h := range s.hosts {
		h.close()
	}
}

// URL is a host's base URL, without a trailing slash.
func (s *Server) URL(host string) string { return s.hosts[host].url() }

// StopAPI closes the API's listener: connections to it are refused until StartAPI.
func (s *Server) StopAPI() { s.hosts[API].close() }

// StartAPI opens the API's listener again, on the same address.
func (s *Server) StartAPI() error { return s.hosts[API].start() }

// StopHost closes a registry's listener (Maven, Npm, Rubygems, ...): connections to
// it are refused until StartHost.
func (s *Server) StopHost(name string) { s.hosts[name].close() }

// StartHost opens a registry's listener again, on the same address.
func (s *Server) StartHost(name string) error { return s.hosts[name].start() }

// SetAPIDown makes GET /user answer 503 (true) or work again (false).
func (s *Server) SetAPIDown(down bool) {
	s.mu.Lock()
	s.apiDown = down
	s.mu.Unlock()
}

// AddToken makes a new personal access token (classic) of login with scopes, a
// comma-separated list as X-OAuth-Scopes shows it, and returns it.
func (s *Server) AddToken(login, scopes string) string {
	tok := "ghp_" + randomAlnum(36)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = patInfo{login: login, scopes: scopes}
	s.memberLocked(login, login)
	return tok
}

// Revoke forgets a token: from now on it is a bad credential everywhere.
func (s *Server) Revoke(token string) {
	s.mu.Lock()
	delete(s.tokens, token)
	s.mu.Unlock()
}

// AddMembers gives logins write and admin access to everything owner owns.
func (s *Server) AddMembers(owner string, logins ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range logins {
		s.memberLocked(owner, l)
	}
}

func (s *Server) memberLocked(owner, login string) {
	if s.members[owner] == nil {
		s.members[owner] = map[string]bool{}
	}
	s.members[owner][login] = true
}

// SetPublic changes a package's visibility; format is Maven, Npm or Ghcr.
func (s *Server) SetPublic(format, name string, public bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.packages[format+":"+name]; p != nil {
		p.public = public
	}
}

// Share gives login read access to a package.
func (s *Server) Share(format, name, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.packages[format+":"+name]; p != nil {
		p.readers[login] = true
	}
}

// Requests is how many requests a host received; Writes counts those that were
// neither GET nor HEAD.
func (s *Server) Requests(host string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[host].all
}

// Writes counts the requests to a host that were neither GET nor HEAD.
func (s *Server) Writes(host string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[host].writes
}

// RequestLog lists the last requests as "HOST METHOD PATH".
func (s *Server) RequestLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqLog...)
}

// Issued lists every secret the fake handed out besides the tokens made with
// AddToken: registry tokens of the container registry's token exchange and blob
// storage signatures. None of them may ever show up in a log.
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

const maxLog = 2000

func (s *Server) counting(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		c := s.counts[name]
		c.all++
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			c.writes++
		}
		if len(s.reqLog) == maxLog {
			s.reqLog = s.reqLog[1:]
		}
		s.reqLog = append(s.reqLog, name+" "+r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Handlers read bodies holding the lock: take them off the wire first, so
			// a slow sender never holds up the other hosts (the API among them).
			body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload))
			if err != nil {
				http.Error(w, "reading the body", http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, r)
	})
}
