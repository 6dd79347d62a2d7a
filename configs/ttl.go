package configs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CheckTTLClasses refuses a mount's ttl keys that its format does not have, such as
// a misspelt "packumnet" or "packument" on an OCI mount: silently ignored, they
// would leave the default TTL in force. classes lists a format's classes.
func (c *Config) CheckTTLClasses(classes func(format string) []string) error {
	var errs []error
	for i, m := range c.Mounts {
		have := classes(m.Format)
		for class := range m.TTL {
			if slices.Contains(have, class) {
				continue
			}
			msg := fmt.Sprintf("mounts[%d].ttl.%s: format %s has no TTL class %q", i, class, m.Format, class)
			if len(have) == 0 {
				msg += "; it has no TTL classes"
			} else {
				msg += "; its classes are " + strings.Join(have, ", ")
			}
			errs = append(errs, errors.New(msg))
		}
	}
	return errors.Join(errs...)
}
