//go:build unix

package main

import "syscall"

// freeBytes is the space on dir's file system available to this user.
func freeBytes(dir string) (free uint64, ok bool, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true, nil //nolint:unconvert // field types differ by OS
}
