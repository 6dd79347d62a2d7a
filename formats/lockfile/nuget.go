package lockfile

import (
	"encoding/json"
	"errors"
	"strings"
)

// nugetLock is packages.lock.json: per target framework, each package's resolved
// version; "Project" entries are other projects of the solution.
type nugetLock struct {
	Version      int                                  `json:"version"`
	Dependencies map[string]map[string]nugetLockEntry `json:"dependencies"`
}

type nugetLockEntry struct {
	Type     string `json:"type"`
	Resolved string `json:"resolved"`
}

func parseNuGetLock(data []byte, l *List) error {
	var lock nugetLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return err
	}
	if lock.Version < 1 || lock.Version > 2 {
		return errors.New("version must be 1 or 2")
	}
	for _, deps := range lock.Dependencies {
		for id, e := range deps {
			switch {
			case strings.EqualFold(e.Type, "Project"):
				l.Skipped = append(l.Skipped, id+": a project of the solution")
			case !validGemPart(id) || !registryVersion(e.Resolved) || !validGemPart(strings.ReplaceAll(e.Resolved, "+", "")):
				l.Skipped = append(l.Skipped, quoteShort(id+" "+e.Resolved)+": not id and version")
			default:
				// NuGet ids and versions are case-insensitive; the flat container
				// serves them lower-cased.
				l.Packages = append(l.Packages, Package{Name: strings.ToLower(id), Version: strings.ToLower(e.Resolved)})
			}
		}
	}
	return nil
}
