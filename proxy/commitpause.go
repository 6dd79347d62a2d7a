package proxy

import (
	"os"
	"time"
)

// commitPauseEnv names a file for the crash tests: while it exists, a fill that
// has answered its clients waits before its commit (the fsync, the rename and the
// index write), having first appended its key to the file's name + ".reached".
// This holds Hoard in the window between a client's last byte and the commit, so
// a test can kill it there. Unset, as in any real deployment, a commit pays one
// nil check for it.
const commitPauseEnv = "HOARD_TEST_COMMIT_PAUSE"

// commitPauseFromEnv is the engine's beforeCommit hook that commitPauseEnv asks
// for, or nil.
func commitPauseFromEnv() func(key string) {
	path := os.Getenv(commitPauseEnv)
	if path == "" {
		return nil
	}
	return func(key string) {
		if f, err := os.OpenFile(path+".reached", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			f.WriteString(key + "\n")
			f.Close()
		}
		for {
			if _, err := os.Stat(path); err != nil {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
