package proxy

import (
	"encoding/json"
	"errors"

	"hoard/formats"
)

// packageEvent is what Hoard reads of a package or registry_package delivery.
type packageEvent struct {
	action    string
	ecosystem string
	change    formats.PackageChange
}

// ghPackage is the package object of both events: "package" in a package event,
// "registry_package" in a registry_package event, with the same fields.
type ghPackage struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace"`
	Ecosystem   string `json:"ecosystem"`
	PackageType string `json:"package_type"`
	Owner       struct {
		Login string `json:"login"`
	} `json:"owner"`
	PackageVersion *struct {
		Version           string `json:"version"`
		ContainerMetadata *struct {
			Tag *struct {
				Name string `json:"name"`
			} `json:"tag"`
		} `json:"container_metadata"`
	} `json:"package_version"`
}

var errNoPackage = errors.New("the event names no package")

// parsePackageEvent reads a package or registry_package delivery.
func parsePackageEvent(event string, body []byte) (packageEvent, error) {
	var doc struct {
		Action          string     `json:"action"`
		Package         *ghPackage `json:"package"`
		RegistryPackage *ghPackage `json:"registry_package"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return packageEvent{}, err
	}
	p := doc.Package
	if event == "registry_package" {
		p = doc.RegistryPackage
	}
	if p == nil || p.Name == "" || doc.Action == "" {
		return packageEvent{}, errNoPackage
	}
	out := packageEvent{action: doc.Action, ecosystem: p.PackageType}
	if out.ecosystem == "" {
		out.ecosystem = p.Ecosystem
	}
	owner := p.Owner.Login
	if owner == "" {
		owner = p.Namespace
	}
	out.change = formats.PackageChange{Owner: owner, Name: p.Name}
	if v := p.PackageVersion; v != nil {
		out.change.Version = v.Version
		if v.ContainerMetadata != nil && v.ContainerMetadata.Tag != nil {
			out.change.Tag = v.ContainerMetadata.Tag.Name
		}
	}
	if owner == "" {
		return packageEvent{}, errNoPackage
	}
	return out, nil
}
