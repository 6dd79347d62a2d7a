package proxy

import (
	"net/http"
	"sort"

	"hoard/formats"
)

// refusedAtRoot reports whether the caller's credentials at an API root (OCI's
// /v2/, what `docker login` asks) are known to be bad, by the gate or, for a token
// without visible scopes, by the upstream (see admission.Gate.AtRoot).
func (s *Server) refusedAtRoot(r *http.Request, root *apiRoot) bool {
	token, refused, ask := s.gate.AtRoot(r)
	if !ask {
		return refused
	}
	m := root.probeMount()
	if m == nil {
		return false
	}
	rt := formats.Route{Kind: formats.Passthrough, Path: "/" + root.name + "/"}
	status, err := s.engine.access.AtRoot(r, token, subject(m, ""), s.engine.asker(m, rt))
	return err == nil && (status == http.StatusUnauthorized || status == http.StatusForbidden)
}

// probeMount is the mount whose upstream answers for the root: the default mount,
// else the first by name, among those that send the caller's own credentials.
func (root *apiRoot) probeMount() *mount {
	if root.def != nil && root.def.cred.Passthrough {
		return root.def
	}
	names := make([]string, 0, len(root.mounts))
	for name := range root.mounts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if m := root.mounts[name]; m.cred.Passthrough {
			return m
		}
	}
	return nil
}
