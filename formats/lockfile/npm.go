package lockfile

import (
	"encoding/json"
	"errors"
	"strings"
)

// npmLock is package-lock.json or npm-shrinkwrap.json: "packages" from lockfile
// version 2 on, "dependencies" (nested) in version 1; version 2 has both.
type npmLock struct {
	LockfileVersion int                    `json:"lockfileVersion"`
	Packages        map[string]npmLockPkg  `json:"packages"`
	Dependencies    map[string]npmLockDep1 `json:"dependencies"`
}

type npmLockPkg struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Link    bool   `json:"link"`
}

type npmLockDep1 struct {
	Version      string                 `json:"version"`
	Dependencies map[string]npmLockDep1 `json:"dependencies"`
}

func parseNpmLock(data []byte, l *List) error {
	var lock npmLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return err
	}
	if lock.LockfileVersion < 1 || lock.LockfileVersion > 3 {
		return errors.New("lockfileVersion must be 1, 2 or 3")
	}
	if len(lock.Packages) > 0 {
		for path, p := range lock.Packages {
			if path == "" {
				continue // the project itself
			}
			name := p.Name
			if name == "" {
				name = nameFromNodeModules(path)
			}
			addNpm(l, name, p.Version, p.Link || name == "")
		}
		return nil
	}
	walkNpmV1(l, lock.Dependencies, 0)
	return nil
}

// walkNpmV1 reads version 1's nested dependencies; the depth bounds a hostile file.
func walkNpmV1(l *List, deps map[string]npmLockDep1, depth int) {
	if depth > 256 {
		return
	}
	for name, d := range deps {
		n, v := name, d.Version
		if alias, ok := strings.CutPrefix(v, "npm:"); ok { // "npm:real@1.0.0"
			if i := strings.LastIndex(alias, "@"); i > 0 {
				n, v = alias[:i], alias[i+1:]
			}
		}
		addNpm(l, n, v, false)
		walkNpmV1(l, d.Dependencies, depth+1)
	}
}

// nameFromNodeModules: "node_modules/a/node_modules/@s/b" is "@s/b"; a path
// outside node_modules is a workspace, "".
func nameFromNodeModules(path string) string {
	i := strings.LastIndex(path, "node_modules/")
	if i < 0 {
		return ""
	}
	return path[i+len("node_modules/"):]
}

func addNpm(l *List, name, version string, link bool) {
	switch {
	case link:
		l.Skipped = append(l.Skipped, name+": a link or workspace")
	case !validNpmName(name):
		l.Skipped = append(l.Skipped, quoteShort(name)+": not a package name")
	case !registryVersion(version):
		l.Skipped = append(l.Skipped, name+"@"+quoteShort(version)+": not from a registry")
	default:
		l.Packages = append(l.Packages, Package{Name: name, Version: version})
	}
}

// validNpmName accepts "name" and "@scope/name" of URL-safe characters.
func validNpmName(n string) bool {
	if n == "" || len(n) > 214 {
		return false
	}
	rest := n
	if scope, name, ok := strings.Cut(n, "/"); ok {
		if !strings.HasPrefix(scope, "@") || len(scope) < 2 {
			return false
		}
		rest = scope[1:] + name
		if name == "" {
			return false
		}
	}
	if rest[0] == '.' || rest[0] == '_' {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!*'()", c) >= 0) {
			return false
		}
	}
	return true
}

func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return `"` + s + `"`
}
