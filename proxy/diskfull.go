package proxy

import (
	"errors"
	"syscall"
)

// isDiskFull reports whether err is the cache's filesystem refusing a write for
// want of space (or of the data dir owner's quota). The client's request was
// fine and the upstream answered: 507 says where the fault lies, and the
// client may retry once an operator or eviction has made room.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
