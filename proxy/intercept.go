package proxy

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"hoard/configs"
	"hoard/formats"
	"hoard/proxy/upstream"
)

// Forward-proxy mode hands the server requests that a client addressed to a
// registry host (https://npm.pkg.github.com/...). Intercept finds the mount that
// fronts that host and path; the request then takes the same route as one sent to
// /MOUNT/ directly: admission, cache, coalesced fill, publish forwarding.

// interceptKey marks a request in its context with the mount it was addressed to.
type interceptKey struct{}

type interceptTarget struct {
	m   *mount
	sub string // the escaped path as the mount's format reads it, from its slash on
}

// hostFront is one host a mount answers for in forward-proxy mode: an upstream's
// host with its base path, or a name from the mount's intercept list (base "").
type hostFront struct {
	m    *mount
	base string // the upstream's escaped base path without its trailing slash
}

// interceptAliases are the extra hosts each mount answers for, by mount name.
func interceptAliases(mounts []configs.Mount) map[string][]string {
	out := map[string][]string{}
	for _, m := range mounts {
		out[m.Name] = m.Intercept
	}
	return out
}

// newFronts indexes the mounts by the hosts they front, as host:port.
func newFronts(mounts map[string]*mount, aliases map[string][]string) map[string][]hostFront {
	out := map[string][]hostFront{}
	for _, m := range mounts {
		for _, u := range m.upstreams {
			hp := upstream.HostPort(u.Base.Scheme, u.Base.Host)
			out[hp] = append(out[hp], hostFront{m: m, base: strings.TrimSuffix(u.Base.EscapedPath(), "/")})
		}
		for _, h := range aliases[m.name] {
			for _, scheme := range []string{"https", "http"} {
				hp := upstream.HostPort(scheme, h)
				out[hp] = append(out[hp], hostFront{m: m})
			}
		}
	}
	for hp := range out {
		// The longest base path wins: /maven/releases before /maven.
		sort.SliceStable(out[hp], func(i, j int) bool { return len(out[hp][i].base) > len(out[hp][j].base) })
	}
	return out
}

// InterceptHosts are the host:port pairs some mount fronts, sorted.
func (s *Server) InterceptHosts() []string {
	out := make([]string, 0, len(s.fronts))
	for hp := range s.fronts {
		out = append(out, hp)
	}
	sort.Strings(out)
	return out
}

// Intercept returns r marked for the mount that fronts u (the absolute URL the
// client asked for, with its scheme), or false when no mount fronts it.
func (s *Server) Intercept(r *http.Request, u *url.URL) (*http.Request, bool) {
	path := u.EscapedPath()
	for _, f := range s.fronts[upstream.HostPort(u.Scheme, u.Host)] {
		sub, ok := underBase(path, f.base)
		if !ok {
			continue
		}
		t := interceptTarget{m: f.m, sub: sub}
		return r.WithContext(context.WithValue(r.Context(), interceptKey{}, t)), true
	}
	return r, false
}

// underBase is path relative to base, from its slash on, when path lies under it.
func underBase(path, base string) (string, bool) {
	rest, ok := strings.CutPrefix(path, base)
	switch {
	case !ok:
		return "", false
	case rest == "":
		return "/", true
	case rest[0] != '/':
		return "", false // /maven2x is not under /maven2
	}
	return rest, true
}

func interceptOf(r *http.Request) (interceptTarget, bool) {
	t, ok := r.Context().Value(interceptKey{}).(interceptTarget)
	return t, ok
}

// serveIntercepted answers a request Intercept marked. A Rooted format's paths keep
// their root (/v2/...), which is taken off here as serveRoot does; answers name the
// mount's own prefix, so Location headers lead back to this server's public URL.
func (s *Server) serveIntercepted(w http.ResponseWriter, r *http.Request, t interceptTarget) {
	ri := infoOf(r)
	ri.mount, ri.format = t.m.name, t.m.format.Name()
	rooted, ok := t.m.format.(formats.Rooted)
	if !ok {
		s.serveMount(fixed(w, r, t.m.fixNamed), r, t.m, t.sub)
		return
	}
	rooted.RootHeader(w.Header())
	sub, under := underBase(t.sub, "/"+rooted.APIRoot())
	switch {
	case !under:
		t.m.format.WriteError(w, r, http.StatusNotFound, formats.ErrNoMount)
	case sub == "/":
		root := s.rootOf(rooted.APIRoot())
		rooted.ServeRoot(w, r, func() bool { return root != nil && s.refusedAtRoot(r, root) })
	default:
		rooted.CleanQuery(r, "", func(string) bool { return false })
		s.serveMount(fixed(w, r, t.m.fixNamed), r, t.m, sub)
	}
}
