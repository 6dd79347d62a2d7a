package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to begin writing the file's range [off,
// off+n) to disk now, without waiting for it. A blob written this way as it
// arrives has little left to flush when its commit calls fsync: on ext4 a long
// fsync holds up the journal, and with it every file creation and rename of the
// fills that start meanwhile.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE) // advisory: fsync still decides
}
