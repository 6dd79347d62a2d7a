// Package builtin lists the formats this build speaks, by configuration name: the
// one table that the command serves from and that the conformance suite checks
// every entry of.
package builtin

import (
	"hoard/formats"
	"hoard/formats/maven"
	"hoard/formats/npm"
	"hoard/formats/nuget"
	"hoard/formats/oci"
	"hoard/formats/rubygems"
)

// Formats returns a fresh instance of every built-in format, by configuration name.
func Formats() map[string]formats.Format {
	return map[string]formats.Format{
		"maven":    maven.New(),
		"npm":      npm.New(),
		"nuget":    nuget.New(),
		"oci":      oci.New(),
		"rubygems": rubygems.New(),
	}
}
