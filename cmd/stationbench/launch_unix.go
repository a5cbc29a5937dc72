//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownGroup starts an agent in a process group of its own, so that a
// Ctrl-C in the terminal reaches it once, passed on by the launcher, and
// not also from the terminal (a second Ctrl-C makes an agent exit at once,
// before it writes its partial result).
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
