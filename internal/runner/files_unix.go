//go:build unix

package runner

import "syscall"

// processFiles is the process's own open-file limit.
func processFiles() fileLimit {
	return fileLimit{
		get: func() (uint64, uint64, error) {
			var l syscall.Rlimit
			err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
			return uint64(l.Cur), uint64(l.Max), err
		},
		set: func(soft, hard uint64) error {
			return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: soft, Max: hard})
		},
	}
}
