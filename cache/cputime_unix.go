//go:build unix

package cache

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuUnknown
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
