package lockfile

import (
	"strings"

	"gopkg.in/yaml.v3"
)

type pnpmLock struct {
	LockfileVersion string                 `yaml:"lockfileVersion"`
	Packages        map[string]pnpmPackage `yaml:"packages"`
}

type pnpmPackage struct {
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
}

// parsePnpm reads pnpm-lock.yaml's packages, whose keys are "/name/1.0.0_peer"
// (lockfile 5), "/name@1.0.0(peer)" (6) or "name@1.0.0" (9).
func parsePnpm(data []byte, l *List) error {
	var lock pnpmLock
	if err := yaml.Unmarshal(data, &lock); err != nil {
		return err
	}
	for key, p := range lock.Packages {
		name, version := pnpmKey(key, strings.HasPrefix(lock.LockfileVersion, "5") || strings.HasPrefix(lock.LockfileVersion, "4"))
		if p.Name != "" && p.Version != "" {
			name, version = p.Name, p.Version
		}
		addNpm(l, name, version, false)
	}
	return nil
}

func pnpmKey(key string, slashForm bool) (name, version string) {
	k := strings.TrimPrefix(key, "/")
	if !slashForm {
		if i := strings.IndexByte(k, '('); i > 0 {
			k = k[:i] // peer dependencies, lockfile 6 and 9
		}
		if i := strings.LastIndex(k, "@"); i > 0 {
			return k[:i], k[i+1:]
		}
		return k, ""
	}
	// lockfile 5: name/version, the version ending at a peer suffix "_..."
	i := strings.LastIndex(k, "/")
	if i <= 0 {
		return k, ""
	}
	name, version = k[:i], k[i+1:]
	if j := strings.IndexByte(version, '_'); j > 0 {
		version = version[:j]
	}
	return name, version
}
