package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// reserve allocates n bytes of disk for f, so that writing them later cannot
// run out of space, and reports whether the file system could. A full disk is
// then found out with no byte of the content written.
func reserve(f *os.File, n int64) (ok bool, err error) {
	if n == 0 {
		return false, nil
	}
	switch err := unix.Fallocate(int(f.Fd()), 0, 0, n); err {
	case nil:
		return true, nil
	case unix.EOPNOTSUPP, unix.ENOSYS, unix.EINVAL:
		return false, nil // no reservation here: the caller writes the bytes now
	default:
		return false, err
	}
}
