//go:build !linux

package cache

import "os"

// reserve: where the file system cannot be asked to allocate ahead, the caller
// writes the bytes at once.
func reserve(*os.File, int64) (bool, error) { return false, nil }
