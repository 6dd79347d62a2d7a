package warm

import (
	"encoding/json"
	"net/url"
	"sort"
)

const npmAbbrev = "application/vnd.npm.install-v1+json"

// planNpm asks for each package's packument, both variants (npm reads the full one,
// pnpm and yarn the abbreviated one), and then each locked version's tarball at the
// URL the packument gives: the daemon rewrote it to itself, whatever registry the
// lockfile named.
func planNpm(r *run, t Target) {
	versions := map[string][]string{}
	for _, p := range t.List.Packages {
		versions[p.Name] = append(versions[p.Name], p.Version)
	}
	names := make([]string, 0, len(versions))
	for n := range versions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		base := "/" + t.Mount + "/" + url.PathEscape(name)
		r.do(request{what: name + " packument", path: base, accept: "application/json", capture: true,
			then: func(body []byte) { npmTarballs(r, name, versions[name], body) }})
		r.do(request{what: name + " packument (abbreviated)", path: base, accept: npmAbbrev})
	}
}

type packument struct {
	Versions map[string]struct {
		Dist struct {
			Tarball string `json:"tarball"`
		} `json:"dist"`
	} `json:"versions"`
}

func npmTarballs(r *run, name string, versions []string, body []byte) {
	var doc packument
	if err := json.Unmarshal(body, &doc); err != nil {
		r.fail(name, "", "the packument is not JSON: "+err.Error())
		return
	}
	for _, v := range versions {
		what := name + "@" + v
		ver, ok := doc.Versions[v]
		if !ok {
			r.fail(what, "", "the mount's packument has no version "+v)
			continue
		}
		p := r.localPath(ver.Dist.Tarball)
		if p == "" {
			r.fail(what, "", "the tarball URL does not point at this daemon: "+ver.Dist.Tarball)
			continue
		}
		r.do(request{what: what + " tarball", path: p})
	}
}
