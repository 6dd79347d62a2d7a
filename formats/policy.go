package formats

import "hoard/policy/gate"

// Gated is implemented by formats whose reads an operator's policy can judge
// (mounts[].policy): the engine refuses, with 403 in the protocol's error shape,
// a read whose package or version the policy refuses.
type Gated interface {
	// VersionScheme reads the format's version ranges and orders its versions.
	VersionScheme() gate.Scheme
	// Subject names the package a read route is for, as the format writes names
	// (the name policy patterns match: "@acme/x", "com.acme:x"), and the version
	// it downloads, "" when the route names the package only (its metadata). ok
	// is false for routes no policy applies to.
	Subject(rt Route) (name, version string, ok bool)
}
